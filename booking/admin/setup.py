"""Admin for set-up data: clinics, rooms, therapists and their hours, treatments, memberships."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ..deactivation import describe_future_bookings
from ..models import (
    Clinic,
    ClinicMembership,
    OpeningHours,
    Qualification,
    Room,
    RoomFeature,
    Therapist,
    Treatment,
    WorkingHours,
)
from ..photos import clean_therapist_photo, drop_replaced_photo, photo_path
from .scoping import ClinicScoped, LoginLinkMixin, administered_clinic_ids


class WarnsOnDeactivation:
    """After a therapist or room is saved as inactive, list the bookings still to come with them
    (kept, and still in the diary) so someone moves or cancels them."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            count, listed = describe_future_bookings(obj)
            if not count:
                return
            items = format_html_join(
                "",
                '<li><a href="{}">{}</a>: {}, {} ({})</li>',
                (
                    (
                        reverse("admin:booking_booking_change", args=[b["id"]]),
                        b["when"],
                        b["patient"],
                        b["treatment"],
                        b["clinic"],
                    )
                    for b in listed
                ),
            )
            more = f" (the first {len(listed)} below)" if count > len(listed) else ""
            messages.warning(
                request,
                format_html(
                    "{} is now inactive but still has {} booking{} to come{}; they are kept "
                    "and stay in the diary. Move or cancel them:<ul>{}</ul>",
                    obj,
                    count,
                    "s" if count != 1 else "",
                    more,
                    items,
                ),
            )


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
                    "no_show_grace_minutes",
                ]
            },
        ),
        ("Clinical records", {"fields": ["share_clinical_records"]}),
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
class RoomAdmin(WarnsOnDeactivation, ClinicScoped, admin.ModelAdmin):
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


class TherapistForm(forms.ModelForm):
    class Meta:
        model = Therapist
        fields = [
            "user",
            "first_name",
            "last_name",
            "profession",
            "bio",
            "photo",
            "qualifications",
            "clinics",
            "is_active",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4, "maxlength": 600})}

    def clean_photo(self):
        # A new upload is checked and re-encoded like one through the API; an unchanged or
        # cleared photo passes as it is.
        photo = self.cleaned_data.get("photo")
        return clean_therapist_photo(photo) if isinstance(photo, UploadedFile) else photo


@admin.register(Therapist)
class TherapistAdmin(WarnsOnDeactivation, LoginLinkMixin, ClinicScoped, admin.ModelAdmin):
    form = TherapistForm
    list_display = ["full_name", "profession", "clinic_list", "user", "is_active"]
    list_filter = ["profession", ("clinics", admin.RelatedOnlyFieldListFilter), "is_active"]
    search_fields = ["first_name", "last_name", "user__username"]
    filter_horizontal = ["qualifications", "clinics"]
    list_select_related = ["user"]
    inlines = [WorkingHoursInline]
    readonly_fields = ["photo_preview"]

    @admin.display(description="photo as patients see it")
    def photo_preview(self, therapist: Therapist) -> str:
        path = photo_path(therapist)
        if not path:
            return "No photo yet."
        return format_html(
            '<img src="{}" alt="{}" width="120" style="border-radius:8px">',
            path,
            therapist.photo_alt,
        )

    def save_model(self, request, obj, form, change):
        replaced = form.initial.get("photo") if "photo" in form.changed_data else None
        super().save_model(request, obj, form, change)
        drop_replaced_photo(obj, replaced.name if replaced else "")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("clinics")

    @admin.display(description="clinics")
    def clinic_list(self, therapist: Therapist) -> str:
        return ", ".join(clinic.name for clinic in therapist.clinics.all())

    def has_delete_permission(self, request, obj=None):
        # Deleting a therapist takes them from every clinic they work at: all must be the
        # user's (the bulk action asks this for each therapist it would delete).
        if obj is not None and not request.user.is_superuser:
            if obj.clinics.exclude(pk__in=administered_clinic_ids(request)).exists():
                return False
        return super().has_delete_permission(request, obj)

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


@admin.register(ClinicMembership)
class ClinicMembershipAdmin(ClinicScoped, admin.ModelAdmin):
    list_display = ["user", "clinic", "role"]
    list_filter = ["role", ("clinic", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__email", "user__last_name"]
    list_select_related = ["user", "clinic"]
    autocomplete_fields = ["user"]
