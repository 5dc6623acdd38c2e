"""Patients: staff see their clinics' patients; a patient sees and updates only themself."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.exceptions import PermissionDenied

from ..filters import PatientFilter
from ..models import Patient
from ..selectors import access_for, patients_visible_to
from ..serializers import PatientSerializer
from .common import ERRORS


class PatientAccess(permissions.BasePermission):
    message = "Only clinic staff may create patients."

    def has_permission(self, request, view):
        access = access_for(request)
        if not access.is_authenticated:
            return False
        if view.action == "create":
            return access.is_staff_anywhere
        return True


@extend_schema_view(
    list=extend_schema(responses={200: PatientSerializer(many=True), **ERRORS}),
    create=extend_schema(responses={201: PatientSerializer, **ERRORS}),
)
class PatientViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Patients. Staff see their clinics' patients; a patient sees and updates only themself.

    There is no delete: clinical records are kept for the legal retention period.
    """

    queryset = Patient.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = PatientSerializer
    permission_classes = [PatientAccess]
    filterset_class = PatientFilter
    ordering_fields = ["last_name", "first_name", "created_at"]

    def get_queryset(self):
        return patients_visible_to(self.request.user)

    def perform_create(self, serializer):
        access = access_for(self.request)
        if not access.is_staff_at(serializer.validated_data["clinic"].pk):
            raise PermissionDenied("You are not staff at that clinic.")
        serializer.save()

    def perform_update(self, serializer):
        access = access_for(self.request)
        clinic = serializer.validated_data.get("clinic", serializer.instance.clinic)
        is_self = access.patient is not None and access.patient.pk == serializer.instance.pk
        if is_self and "clinic" in serializer.validated_data:
            raise PermissionDenied("Ask the clinic to change your home clinic.")
        # Moving a patient to another home clinic takes them from one clinic to the other:
        # staff of both must agree, or any clinic could claim a patient it only once saw.
        touched = {clinic.pk, serializer.instance.clinic_id}
        if not is_self and not all(access.is_staff_at(clinic_id) for clinic_id in touched):
            raise PermissionDenied("You are not staff at that clinic.")
        serializer.save()
