"""Admin: clinics edit their reminder, feed and wording settings; staff can inspect the outbox."""

from django.contrib import admin, messages

from . import services
from .models import (
    CalendarEntry,
    CalendarFeed,
    ClinicNotificationSettings,
    MessageTemplate,
    Notification,
)


@admin.register(ClinicNotificationSettings)
class ClinicNotificationSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "clinic_id",
        "reminder_lead_minutes",
        "sms_reminders",
        "feed_detail",
        "updated_at",
    ]
    search_fields = ["clinic_id"]

    def save_model(self, request, obj, form, change):
        services.save_clinic_settings(clinic=obj)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["kind", "channel", "clinic_id", "subject", "updated_at"]
    list_filter = ["kind", "channel"]
    search_fields = ["subject", "body_text"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox, read-only: what was sent, skipped or failed, and why."""

    list_display = [
        "id",
        "kind",
        "channel",
        "lead_minutes",
        "status",
        "due_at",
        "sent_at",
        "attempts",
        "entry",
    ]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["entry__booking_id", "sent_to"]
    list_select_related = ["entry"]
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CalendarEntry)
class CalendarEntryAdmin(admin.ModelAdmin):
    list_display = [
        "booking_id",
        "status",
        "version",
        "start",
        "therapist_name",
        "room_name",
        "clinic_name",
    ]
    list_filter = ["status"]
    search_fields = ["booking_id"]
    readonly_fields = [field.name for field in CalendarEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = [
        "label",
        "kind",
        "owner_id",
        "clinic_id",
        "revision",
        "changed_at",
        "rotated_at",
    ]
    list_filter = ["kind"]
    search_fields = ["label"]
    exclude = ["token_salt", "token_hash"]
    readonly_fields = [
        "kind",
        "owner_id",
        "clinic_id",
        "label",
        "calendar_uid",
        "revision",
        "changed_at",
        "rotated_at",
    ]
    actions = ["rotate"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Issue new secret URLs (the old ones stop working)")
    def rotate(self, request, queryset):
        for feed in queryset:
            services.rotate_feed_token(feed=feed)
        self.message_user(request, f"Rotated {queryset.count()} feed URL(s).", messages.SUCCESS)
