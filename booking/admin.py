"""The Django admin for the clinic diary.

Who sees what: superusers see everything. A clinic admin (a staff user with a ClinicMembership
of role "admin", in the "Clinic admins" group from migration 0003) sees and edits only the rows
of the clinics they administer: every list, every choice in a form and every autocomplete is
narrowed to those clinics. Other staff users see nothing until they are given such a role.

Bookings and blocks carry rules, so the admin never writes them directly: bookings cannot be
added, deleted or moved here (start, end, status and version are read-only) and change status
only through actions that call booking.services; a new block is made by services.block_time.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet

from core.api import DomainError

from . import services
from .models import (
    Block,
    Booking,
    CancellationReason,
    Clinic,
    ClinicMembership,
    IdempotencyKey,
    OpeningHours,
    Patient,
    Qualification,
    Room,
    RoomFeature,
    Therapist,
    Treatment,
    WorkingHours,
)
from .selectors import clinics_administered_by

# Shared catalogues: every clinic uses the same list, so nobody's view of them is narrowed.
SHARED_MODELS = (RoomFeature, Qualification)


def administered_clinic_ids(request) -> list[int]:
    """The clinics the user administers, read once per request."""
    if not hasattr(request, "_administered_clinic_ids"):
        request._administered_clinic_ids = list(
            clinics_administered_by(request.user).values_list("pk", flat=True)
        )
    return request._administered_clinic_ids


def in_clinics(queryset: QuerySet, clinic_ids: list[int]) -> QuerySet:
    """The rows of `queryset` that belong to one of these clinics."""
    model = queryset.model
    if model in SHARED_MODELS:
        return queryset
    if model is Clinic:
        return queryset.filter(pk__in=clinic_ids)
    # Subqueries rather than joins, so a therapist at two clinics is listed once.
    therapists_there = Therapist.clinics.through.objects.filter(clinic_id__in=clinic_ids)
    if model is Therapist:
        return queryset.filter(pk__in=therapists_there.values("therapist_id"))
    if model is Block:
        # Therapist time off has no clinic; it belongs to every clinic the therapist works at.
        return queryset.filter(
            Q(clinic_id__in=clinic_ids)
            | Q(room__clinic_id__in=clinic_ids)
            | Q(therapist_id__in=therapists_there.values("therapist_id"))
        )
    return queryset.filter(clinic_id__in=clinic_ids)


def visible_in_admin(queryset: QuerySet, request) -> QuerySet:
    if request.user.is_superuser:
        return queryset
    return in_clinics(queryset, administered_clinic_ids(request))


class ClinicScoped:
    """Mixin for admins and inlines: rows and related choices narrowed to the user's clinics."""

    def get_queryset(self, request):
        return visible_in_admin(super().get_queryset(request), request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser and db_field.related_model is not None:
            related = db_field.related_model
            if related in (Clinic, Room, Therapist, Patient, Treatment):
                kwargs["queryset"] = visible_in_admin(related._default_manager.all(), request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not request.user.is_superuser and db_field.related_model is Clinic:
            kwargs["queryset"] = visible_in_admin(Clinic.objects.all(), request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class LoginLinkMixin:
    """Linking a row to a login is for superusers: clinic admins cannot list users."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.append("user")
        return fields

    def get_autocomplete_fields(self, request):
        return ["user"] if request.user.is_superuser else []


# --- clinics ------------------------------------------------------------------------------------


class OpeningHoursInline(ClinicScoped, admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Clinic)
class ClinicAdmin(ClinicScoped, admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "phone",
        "time_zone",
        "min_notice_minutes",
        "late_cancellation_hours",
    ]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "address", "phone", "email", "time_zone"]}),
        (
            "Booking policy",
            {
                "fields": [
                    "min_notice_minutes",
                    "booking_horizon_days",
                    "slot_step_minutes",
                    "late_cancellation_hours",
                ]
            },
        ),
    ]

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if request.user.is_superuser else {}

    def get_readonly_fields(self, request, obj=None):
        # The slug is in links patients already have; only a superuser may change it.
        return [] if request.user.is_superuser else ["slug"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(ClinicScoped, admin.ModelAdmin):
    list_display = ["clinic", "weekday", "opens", "closes"]
    list_filter = [("clinic", admin.RelatedOnlyFieldListFilter), "weekday"]


@admin.register(RoomFeature)
class RoomFeatureAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Room)
class RoomAdmin(ClinicScoped, admin.ModelAdmin):
    list_display = ["name", "clinic", "feature_list", "is_active"]
    list_filter = [("clinic", admin.RelatedOnlyFieldListFilter), "features", "is_active"]
    search_fields = ["name", "clinic__name"]
    filter_horizontal = ["features"]
    list_select_related = ["clinic"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("features")

    @admin.display(description="features")
    def feature_list(self, room: Room) -> str:
        return ", ".join(feature.name for feature in room.features.all())


# --- therapists ---------------------------------------------------------------------------------


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class WorkingHoursInline(ClinicScoped, admin.TabularInline):
    model = WorkingHours
    extra = 0


@admin.register(Therapist)
class TherapistAdmin(LoginLinkMixin, ClinicScoped, admin.ModelAdmin):
    list_display = ["full_name", "profession", "clinic_list", "user", "is_active"]
    list_filter = ["profession", ("clinics", admin.RelatedOnlyFieldListFilter), "is_active"]
    search_fields = ["first_name", "last_name", "user__username"]
    filter_horizontal = ["qualifications", "clinics"]
    list_select_related = ["user"]
    inlines = [WorkingHoursInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("clinics")

    @admin.display(description="clinics")
    def clinic_list(self, therapist: Therapist) -> str:
        return ", ".join(clinic.name for clinic in therapist.clinics.all())

    def save_related(self, request, form, formsets, change):
        # A clinic admin only sees their own clinics in the form, so the form would drop the
        # therapist's other clinics; put those back.
        elsewhere = []
        if change and not request.user.is_superuser:
            elsewhere = list(form.instance.clinics.exclude(pk__in=administered_clinic_ids(request)))
        super().save_related(request, form, formsets, change)
        form.instance.clinics.add(*elsewhere)


@admin.register(WorkingHours)
class WorkingHoursAdmin(ClinicScoped, admin.ModelAdmin):
    list_display = ["therapist", "clinic", "weekday", "starts", "ends"]
    list_filter = [
        ("clinic", admin.RelatedOnlyFieldListFilter),
        ("therapist", admin.RelatedOnlyFieldListFilter),
        "weekday",
    ]
    list_select_related = ["therapist", "clinic"]
    autocomplete_fields = ["therapist"]


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


# --- treatments and patients --------------------------------------------------------------------


@admin.register(Treatment)
class TreatmentAdmin(ClinicScoped, admin.ModelAdmin):
    list_display = [
        "name",
        "clinic",
        "modality",
        "duration_minutes",
        "price",
        "capacity",
        "patient_type",
        "online_bookable",
        "is_active",
    ]
    list_filter = [
        ("clinic", admin.RelatedOnlyFieldListFilter),
        "modality",
        "patient_type",
        "online_bookable",
        "is_active",
    ]
    search_fields = ["name", "clinic__name"]
    list_select_related = ["clinic"]
    filter_horizontal = ["required_qualifications", "required_room_features"]
    fieldsets = [
        (None, {"fields": ["clinic", "name", "modality", "description", "price", "is_active"]}),
        (
            "Time",
            {"fields": ["duration_minutes", "buffer_before_minutes", "buffer_after_minutes"]},
        ),
        (
            "Who and where",
            {
                "fields": [
                    "required_qualifications",
                    "required_room_features",
                    "capacity",
                    "patient_type",
                    "online_bookable",
                ]
            },
        ),
    ]


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


@admin.register(ClinicMembership)
class ClinicMembershipAdmin(ClinicScoped, admin.ModelAdmin):
    list_display = ["user", "clinic", "role"]
    list_filter = ["role", ("clinic", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__email", "user__last_name"]
    list_select_related = ["user", "clinic"]
    autocomplete_fields = ["user"]


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
