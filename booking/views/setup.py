"""Set-up resources: clinics, opening hours, rooms, therapists, working hours and treatments.
Clinic admins write them; everyone allowed by the view reads them."""

from __future__ import annotations

from rest_framework import permissions, viewsets
from rest_framework.exceptions import PermissionDenied

from ..deactivation import require_confirmed_deactivation
from ..models import Clinic, OpeningHours, Room, Therapist, WorkingHours
from ..selectors import access_for, treatments_visible_to
from ..serializers import (
    ClinicSerializer,
    OpeningHoursSerializer,
    RoomSerializer,
    TherapistSerializer,
    TreatmentSerializer,
    WorkingHoursSerializer,
)


class ClinicAdminWrites(permissions.BasePermission):
    """Reads for everyone allowed by the view; writes for admins of the object's clinic."""

    message = "Only an admin of this clinic may change its set-up."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return access_for(request).is_authenticated

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        access = access_for(request)
        return any(access.administers(clinic_id) for clinic_id in view.clinic_ids_of(obj))


class SetupViewSet(viewsets.ModelViewSet):
    """CRUD for set-up data. New objects must belong to a clinic the caller administers."""

    permission_classes = [ClinicAdminWrites]

    def clinic_ids_of(self, obj) -> list[int]:
        return [obj.clinic_id]

    def clinic_ids_of_new(self, validated: dict) -> list[int]:
        return [validated["clinic"].pk]

    def _require_admin(self, clinic_ids: list[int]) -> None:
        access = access_for(self.request)
        if not clinic_ids or not all(access.administers(cid) for cid in clinic_ids):
            raise PermissionDenied("Only an admin of that clinic may do this.")

    def perform_create(self, serializer):
        self._require_admin(self.clinic_ids_of_new(serializer.validated_data))
        serializer.save()

    def perform_update(self, serializer):
        if any(key in serializer.validated_data for key in ("clinic", "clinics")):
            # Every clinic the change touches, left or joined, must be one the caller runs.
            before = set(self.clinic_ids_of(serializer.instance))
            after = set(
                self.clinic_ids_of_new({**self._current(serializer), **serializer.validated_data})
            )
            self._require_admin(sorted(after if before == after else before ^ after))
        serializer.save()

    def perform_destroy(self, instance):
        # Deleting takes it away from every clinic it belongs to.
        self._require_admin(self.clinic_ids_of(instance))
        instance.delete()

    def _current(self, serializer) -> dict:
        return {}


class ClinicViewSet(SetupViewSet):
    """Clinics (sites) with their opening hours and booking policy. Public to read."""

    queryset = Clinic.objects.prefetch_related("opening_hours")
    serializer_class = ClinicSerializer
    filterset_fields = ["slug"]
    ordering_fields = ["name"]

    def clinic_ids_of(self, obj) -> list[int]:
        return [obj.pk]

    def perform_create(self, serializer):
        if not self.request.user.is_superuser:
            raise PermissionDenied("Only a superuser may open a new clinic.")
        serializer.save()


class OpeningHoursViewSet(SetupViewSet):
    queryset = OpeningHours.objects.all()
    serializer_class = OpeningHoursSerializer
    filterset_fields = ["clinic", "weekday"]
    ordering_fields = ["weekday", "opens"]


class WarnsBeforeDeactivating:
    """PATCH/PUT is_active=false on someone with bookings to come answers 409 has_future_bookings
    listing them, unless ?confirm=true is sent."""

    def perform_update(self, serializer):
        instance = serializer.instance
        if instance.is_active and serializer.validated_data.get("is_active") is False:
            confirmed = self.request.query_params.get("confirm", "").lower() in ("1", "true")
            require_confirmed_deactivation(instance, confirmed=confirmed)
        super().perform_update(serializer)


class RoomViewSet(WarnsBeforeDeactivating, SetupViewSet):
    queryset = Room.objects.prefetch_related("features")
    serializer_class = RoomSerializer
    permission_classes = [permissions.IsAuthenticated, ClinicAdminWrites]
    filterset_fields = ["clinic", "is_active"]
    ordering_fields = ["name"]


class TherapistViewSet(WarnsBeforeDeactivating, SetupViewSet):
    """Therapists, their qualifications and clinics. Public to read (for online booking)."""

    queryset = Therapist.objects.prefetch_related("qualifications", "clinics")
    serializer_class = TherapistSerializer
    filterset_fields = ["clinics", "profession", "is_active", "qualifications"]
    ordering_fields = ["last_name", "first_name"]

    def clinic_ids_of(self, obj) -> list[int]:
        return [clinic.pk for clinic in obj.clinics.all()]

    def clinic_ids_of_new(self, validated: dict) -> list[int]:
        return [clinic.pk for clinic in validated.get("clinics", [])]

    def _current(self, serializer) -> dict:
        return {"clinics": list(serializer.instance.clinics.all())}


class WorkingHoursViewSet(SetupViewSet):
    queryset = WorkingHours.objects.all()
    serializer_class = WorkingHoursSerializer
    permission_classes = [permissions.IsAuthenticated, ClinicAdminWrites]
    filterset_fields = ["clinic", "therapist", "weekday"]
    ordering_fields = ["weekday", "starts"]


class TreatmentViewSet(SetupViewSet):
    """Bookable treatments. Anyone sees the online-bookable ones; staff see their clinics' others."""

    serializer_class = TreatmentSerializer
    filterset_fields = ["clinic", "modality", "online_bookable", "patient_type", "is_active"]
    ordering_fields = ["name", "duration_minutes", "price"]

    def get_queryset(self):
        return treatments_visible_to(self.request.user)
