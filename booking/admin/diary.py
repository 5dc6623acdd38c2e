"""Admin for what fills the diary: blocks, patients with their sessions, bookings, and stored
API replies. These carry rules, so changes go through booking.services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from core.api import DomainError

from .. import services
from ..models import Block, Booking, CancellationReason, IdempotencyKey, Patient
from .scoping import ClinicScoped, LoginLinkMixin


class BlockAddForm(forms.ModelForm):
    """Adds a block through services.block_time, which refuses to cover booked sessions."""

    created_by = None  # set per request by BlockAdmin.get_form

    class Meta:
        model = Block
        fields = ["clinic", "therapist", "room", "start", "end", "reason"]

    def clean(self):
        # The service is the last check and writes the block (inside the admin's transaction).
        # Nothing after it can fail: the model's own checks (ends after it starts, blocks
        # something) are checks the service makes too.
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.instance = services.block_time(
                start=cleaned["start"],
                end=cleaned["end"],
                clinic=cleaned.get("clinic"),
                therapist=cleaned.get("therapist"),
                room=cleaned.get("room"),
                reason=cleaned.get("reason", ""),
                created_by=self.created_by,
            )
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return cleaned


@admin.register(Block)
class BlockAdmin(ClinicScoped, admin.ModelAdmin):
    list_display = ["start", "end", "therapist", "room", "clinic", "reason", "created_by"]
    list_filter = [
        ("clinic", admin.RelatedOnlyFieldListFilter),
        ("therapist", admin.RelatedOnlyFieldListFilter),
    ]
    date_hierarchy = "start"
    search_fields = ["reason", "therapist__last_name", "room__name"]
    list_select_related = ["therapist", "room", "clinic", "created_by"]
    autocomplete_fields = ["therapist", "room"]

    def get_readonly_fields(self, request, obj=None):
        # Moving a block could cover booked sessions: delete it and add a new one instead.
        if obj is None:
            return []
        return ["clinic", "therapist", "room", "start", "end", "created_by", "created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = BlockAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.created_by = request.user
        return form


class PatientBookingInline(ClinicScoped, admin.TabularInline):
    """The patient's sessions, newest first; read-only (bookings change through services)."""

    model = Booking
    fields = ["start", "treatment", "therapist", "status", "channel"]
    readonly_fields = fields
    ordering = ["-start"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Patient)
class PatientAdmin(LoginLinkMixin, ClinicScoped, admin.ModelAdmin):
    list_display = ["last_name", "first_name", "clinic", "email", "phone", "date_of_birth"]
    list_filter = [
        ("clinic", admin.RelatedOnlyFieldListFilter),
        "consents_to_email",
        "consents_to_sms",
        "consents_to_reminders",
    ]
    search_fields = ["first_name", "last_name", "email", "phone"]
    list_select_related = ["clinic"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [PatientBookingInline]
    fieldsets = [
        (None, {"fields": ["clinic", "first_name", "last_name", "date_of_birth", "user"]}),
        ("Contact", {"fields": ["email", "phone"]}),
        (
            "Consent",
            {
                "fields": [
                    "consents_to_email",
                    "consents_to_sms",
                    "consents_to_reminders",
                    "privacy_notice_accepted_at",
                ]
            },
        ),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]


# --- bookings -----------------------------------------------------------------------------------


@admin.register(Booking)
class BookingAdmin(ClinicScoped, admin.ModelAdmin):
    list_display = [
        "start",
        "patient",
        "treatment__name",
        "therapist",
        "room",
        "clinic",
        "status",
        "channel",
    ]
    list_filter = [
        "status",
        ("clinic", admin.RelatedOnlyFieldListFilter),
        ("therapist", admin.RelatedOnlyFieldListFilter),
        "channel",
        "is_late_cancellation",
    ]
    date_hierarchy = "start"
    search_fields = [
        "patient__first_name",
        "patient__last_name",
        "patient__email",
        "patient__phone",
    ]
    list_select_related = ["patient", "treatment", "therapist", "room", "clinic"]
    actions = ["cancel_bookings", "mark_no_shows"]
    fieldsets = [
        (
            "Session",
            {"fields": ["clinic", "treatment", "patient", "therapist", "room", "start", "end"]},
        ),
        ("Status", {"fields": ["status", "version", "checked_in_at", "channel", "created_by"]}),
        (
            "Cancellation",
            {
                "fields": [
                    "cancelled_at",
                    "cancelled_by",
                    "cancellation_reason",
                    "cancellation_note",
                    "is_late_cancellation",
                ]
            },
        ),
        ("Notes", {"fields": ["notes"]}),
        (
            "Record",
            {
                "classes": ["collapse"],
                "fields": [
                    "uid",
                    "blocked_start",
                    "blocked_end",
                    "session_key",
                    "place",
                    "capacity",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]
    # Everything but the administrative notes: moving or re-statusing a booking must go
    # through booking.services (the actions below, or the API), which keep the diary's rules.
    readonly_fields = [
        name for _, options in fieldsets for name in options["fields"] if name != "notes"
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Cancel instead: a cancelled booking keeps its history and frees the slot.
        return False

    @admin.action(description="Cancel selected bookings", permissions=["change"])
    def cancel_bookings(self, request, queryset):
        self._run_service(
            request,
            queryset,
            lambda booking: services.cancel_booking(
                booking=booking,
                cancelled_by=request.user,
                reason=CancellationReason.CLINIC,
                apply_policy=False,
            ),
            done="cancelled",
        )

    @admin.action(description="Mark as no-show", permissions=["change"])
    def mark_no_shows(self, request, queryset):
        self._run_service(
            request,
            queryset,
            lambda booking: services.mark_no_show(booking=booking),
            done="marked as no-show",
        )

    def _run_service(self, request, queryset, change, *, done: str) -> None:
        """Call the service once per booking; report each refusal, then the successes."""
        changed = 0
        for booking in queryset.select_related("patient", "treatment"):
            try:
                change(booking)
            except DomainError as exc:
                self.message_user(request, f"{booking}: {exc.message}", messages.ERROR)
            else:
                changed += 1
        if changed:
            noun = "booking" if changed == 1 else "bookings"
            self.message_user(request, f"{changed} {noun} {done}.", messages.SUCCESS)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    """Stored API replies, for support. Superusers only (no group grants these)."""

    list_display = ["created_at", "user", "endpoint", "key", "response_status"]
    list_filter = ["endpoint", "response_status"]
    search_fields = ["key", "user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    readonly_fields = [
        "user",
        "key",
        "endpoint",
        "fingerprint",
        "response_status",
        "response_body",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
