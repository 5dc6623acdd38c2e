"""The exercise library and plan templates through the API."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from booking.models import Clinic
from booking.selectors import access_for

from .. import services
from ..access import is_clinician_at
from ..filters import ExerciseFilter, TemplateFilter
from ..models import Exercise, PlanTemplate
from ..selectors import exercises_visible_to, templates_visible_to
from ..serializers import ExerciseSerializer, TemplateIn, TemplateOut
from .common import ERRORS, lookup, prescription_spec, valid_data

# --- exercise library ---------------------------------------------------------------------------


class ExerciseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The exercise library: shared exercises and each clinic's own. Therapists (and clinic
    admins) add and edit their clinic's; the shared library is kept by superusers. Nothing is
    deleted: retire an exercise with is_active=false."""

    serializer_class = ExerciseSerializer
    filterset_class = ExerciseFilter
    ordering_fields = ["name", "body_region"]
    ordering = ["body_region", "name"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Exercise.objects.none()
        return exercises_visible_to(self.request.user)

    def _require_editor(self, clinic: Clinic | None) -> None:
        access = access_for(self.request)
        if clinic is None:
            if not access.is_superuser:
                raise PermissionDenied(
                    "Only a superuser may change the shared library; give your clinic."
                )
        elif not (is_clinician_at(access, clinic.pk) or access.administers(clinic.pk)):
            raise PermissionDenied(
                "Only therapists or admins of that clinic may change its exercises."
            )

    def _save(self, serializer) -> None:
        try:
            with transaction.atomic():
                serializer.save()
        except IntegrityError as exc:
            raise serializers.ValidationError(
                {"name": ["An exercise with this name already exists there."]}
            ) from exc

    def perform_create(self, serializer):
        self._require_editor(serializer.validated_data.get("clinic"))
        self._save(serializer)

    def perform_update(self, serializer):
        self._require_editor(serializer.instance.clinic)
        if "clinic" in serializer.validated_data:
            self._require_editor(serializer.validated_data["clinic"])
        self._save(serializer)


# --- plan templates -----------------------------------------------------------------------------


class StaffOnly(permissions.BasePermission):
    message = "Plan templates are for clinic staff."

    def has_permission(self, request, view):
        return access_for(request).is_staff_anywhere


@extend_schema_view(
    list=extend_schema(responses={200: TemplateOut(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: TemplateOut, **ERRORS}),
)
class PlanTemplateViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Plan templates for common conditions: the shared ones and each clinic's own. A plan
    created from a template is a copy the therapist then tailors."""

    serializer_class = TemplateOut
    permission_classes = [StaffOnly]
    filterset_class = TemplateFilter
    ordering_fields = ["name", "condition"]
    ordering = ["condition", "name"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PlanTemplate.objects.none()
        return templates_visible_to(self.request.user)

    @extend_schema(request=TemplateIn, responses={201: TemplateOut, **ERRORS})
    def create(self, request):
        """Create a template for a clinic (therapists and admins there) or for all (superusers)."""
        data = valid_data(TemplateIn, request.data)
        access = access_for(request)
        clinic = (
            lookup(Clinic.objects.all(), data["clinic"], "clinic") if data.get("clinic") else None
        )
        if clinic is None and not access.is_superuser:
            raise PermissionDenied(
                "Only a superuser may add to the shared templates; give your clinic."
            )
        if clinic is not None and not (
            is_clinician_at(access, clinic.pk) or access.administers(clinic.pk)
        ):
            raise PermissionDenied(
                "Only therapists or admins of that clinic may add its templates."
            )
        phases = [
            services.TemplatePhaseSpec(
                name=phase["name"],
                weeks=phase["weeks"],
                start_week=phase.get("start_week"),
                notes=phase["notes"],
                sessions=tuple(
                    services.TemplateSessionSpec(
                        modality=item["modality"],
                        sessions=item["sessions"],
                        per_week=item["per_week"],
                        alternative_modality=item["alternative_modality"],
                        min_gap_hours=item.get("min_gap_hours"),
                        notes=item["notes"],
                    )
                    for item in phase["sessions"]
                ),
                exercises=tuple(prescription_spec(item) for item in phase["exercises"]),
            )
            for phase in data["phases"]
        ]
        try:
            with transaction.atomic():
                template = services.create_template(
                    name=data["name"],
                    condition=data["condition"],
                    phases=phases,
                    clinic=clinic,
                    description=data["description"],
                )
        except IntegrityError as exc:
            raise serializers.ValidationError(
                {"name": ["A template with this name already exists there."]}
            ) from exc
        return Response(
            TemplateOut(templates_visible_to(request.user).get(pk=template.pk)).data,
            status=status.HTTP_201_CREATED,
        )
