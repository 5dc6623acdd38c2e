"""Who sees what in the admin: rows and choices narrowed to the clinics a user administers."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ..models import Block, Clinic, Patient, Qualification, Room, RoomFeature, Therapist, Treatment
from ..selectors import clinics_administered_by

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
