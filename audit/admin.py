"""The trail in the admin: every entry readable, none addable, editable or deletable."""

from django.contrib import admin

from .history import REGISTRY
from .models import DataRightsEvent, RecordRead


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RecordRead)
class RecordReadAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_name", "object_type", "object_id", "patient_id", "channel"]
    list_filter = ["channel", "object_type"]
    search_fields = ["actor_name"]
    date_hierarchy = "at"


@admin.register(DataRightsEvent)
class DataRightsEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_name", "action", "object_type", "patient_id", "channel"]
    list_filter = ["action", "channel"]
    date_hierarchy = "at"


class HistoryEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "history_date",
        "history_user",
        "audit_action",
        "audit_channel",
        "audit_patient_id",
    ]
    list_filter = ["audit_action", "audit_channel"]
    list_select_related = ["history_user"]
    date_hierarchy = "history_date"


for history_model in REGISTRY:
    admin.site.register(history_model, HistoryEntryAdmin)
