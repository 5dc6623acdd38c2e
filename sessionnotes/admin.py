"""Read-only admin for session notes: notes are written, signed and amended through the
services (API and pages), never edited in the admin, so the record stays attributable."""

from django.contrib import admin

from .models import AdverseEvent, Amendment, SafetyAlert, SessionNote


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SessionNote)
class SessionNoteAdmin(ReadOnlyAdmin):
    list_display = ["patient", "therapist", "treated_at", "status", "signed_at"]
    list_filter = ["status", "clinic"]
    search_fields = ["patient__last_name", "therapist__last_name"]


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdmin):
    list_display = ["note", "author", "created_at"]


@admin.register(AdverseEvent)
class AdverseEventAdmin(ReadOnlyAdmin):
    list_display = ["patient", "modality", "kind", "severity", "occurred_at"]
    list_filter = ["severity", "kind"]


@admin.register(SafetyAlert)
class SafetyAlertAdmin(ReadOnlyAdmin):
    list_display = ["patient", "clinic", "lead_therapist", "raised_at", "reviewed_at"]
