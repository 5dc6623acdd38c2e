"""Thin DRF views: parse, check who may do it, call one service or selector, render."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_response

from . import services
from .availability import Availability
from .filters import BlockFilter, BookingFilter, PatientFilter
from .idempotency import run_idempotently
from .models import (
    Block,
    Booking,
    Channel,
    Clinic,
    OpeningHours,
    Patient,
    Room,
    Therapist,
    Treatment,
    WorkingHours,
)
from .selectors import (
    access_for,
    blocks_visible_to,
    bookings_visible_to,
    patients_visible_to,
    treatments_visible_to,
)
from .serializers import (
    AvailabilityOut,
    AvailabilityQuery,
    BlockSerializer,
    BookingOut,
    BookSessionIn,
    CancelIn,
    ClinicSerializer,
    OpeningHoursSerializer,
    PatientSerializer,
    RescheduleIn,
    RoomSerializer,
    TherapistSerializer,
    TreatmentSerializer,
    VersionedIn,
    WorkingHoursSerializer,
    local_iso,
)

ERRORS = {
    400: error_response("Bad input or a broken booking rule."),
    401: error_response("Not signed in."),
    403: error_response("Not allowed."),
    404: error_response("Unknown or not visible."),
}
CONFLICT = {
    409: error_response("The slot is taken, the booking changed, or the change is not allowed now.")
}


def _field_lookup(queryset: QuerySet, pk, field: str):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise serializers.ValidationError({field: [f"No {field} with id {pk}."]})
    return obj


# --- setup resources (clinic admins write, everyone signed in reads) ----------------------------


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
            self._require_admin(
                self.clinic_ids_of_new({**self._current(serializer), **serializer.validated_data})
            )
        serializer.save()

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


class RoomViewSet(SetupViewSet):
    queryset = Room.objects.prefetch_related("features")
    serializer_class = RoomSerializer
    permission_classes = [permissions.IsAuthenticated, ClinicAdminWrites]
    filterset_fields = ["clinic", "is_active"]
    ordering_fields = ["name"]


class TherapistViewSet(SetupViewSet):
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


# --- patients ---------------------------------------------------------------------------------


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
        if not is_self and not access.is_staff_at(clinic.pk):
            raise PermissionDenied("You are not staff at that clinic.")
        serializer.save()


# --- bookings ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        responses={200: BookingOut(many=True), **ERRORS},
        parameters=[
            OpenApiParameter("date_from", str, description="ISO date or date-time with offset."),
            OpenApiParameter(
                "date_to", str, description="ISO date (inclusive) or date-time with offset."
            ),
        ],
    ),
    retrieve=extend_schema(responses={200: BookingOut, **ERRORS}),
)
class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bookings. Changes go through the actions only, each of which applies the booking rules."""

    queryset = Booking.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = BookingOut
    filterset_class = BookingFilter
    ordering_fields = ["start", "created_at", "updated_at"]
    ordering = ["start", "id"]

    def get_queryset(self):
        return bookings_visible_to(self.request.user)

    @extend_schema(
        request=BookSessionIn,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Replays the first response for the same key and body; 422 for another body.",
            )
        ],
        responses={
            201: BookingOut,
            **ERRORS,
            **CONFLICT,
            422: error_response("Idempotency-Key reused with another body."),
        },
    )
    def create(self, request):
        """Book a slot. Therapist optional: any qualified therapist and a fitting room are chosen."""
        data = BookSessionIn(data=request.data)
        data.is_valid(raise_exception=True)
        return run_idempotently(
            request, endpoint="bookings.create", run=lambda: self._book(data.validated_data)
        )

    def _book(self, data: dict) -> Response:
        access = access_for(self.request)
        treatment = _field_lookup(
            Treatment.objects.select_related("clinic"), data["treatment"], "treatment"
        )
        therapist = None
        if data.get("therapist"):
            therapist = _field_lookup(Therapist.objects.all(), data["therapist"], "therapist")
        clinic_id = treatment.clinic_id

        if access.patient is not None and data.get("patient") in (None, access.patient.pk):
            # Booking for yourself is an online booking, with the clinic's policy, even for staff.
            patient, apply_policy, channel = access.patient, True, Channel.ONLINE
        elif access.manages(clinic_id):
            patient = self._patient_for_staff(data)
            apply_policy, channel = False, data.get("channel") or Channel.RECEPTION
        elif access.therapist is not None and access.is_staff_at(clinic_id):
            if therapist is not None and therapist.pk != access.therapist.pk:
                raise PermissionDenied("Therapists book only into their own diary.")
            patient = self._patient_for_staff(data)
            therapist, apply_policy, channel = access.therapist, False, Channel.THERAPIST
        else:
            raise PermissionDenied("You cannot book at this clinic.")

        booking = services.book_session(
            treatment=treatment,
            start=data["start"],
            patient=patient,
            therapist=therapist,
            room=self._room_for_staff(data, apply_policy),
            booked_by=self.request.user,
            channel=channel,
            apply_policy=apply_policy,
            notes=data.get("notes", "") if not apply_policy else "",
        )
        booking.clinic = treatment.clinic
        return Response(BookingOut(booking).data, status=status.HTTP_201_CREATED)

    def _room_for_staff(self, data: dict, apply_policy: bool) -> Room | None:
        if not data.get("room"):
            return None
        if apply_policy:
            raise serializers.ValidationError({"room": ["Only clinic staff choose rooms."]})
        return _field_lookup(Room.objects.all(), data["room"], "room")

    def _patient_for_staff(self, data: dict) -> Patient:
        if not data.get("patient"):
            raise serializers.ValidationError(
                {"patient": ["Say which patient this booking is for."]}
            )
        return _field_lookup(Patient.objects.all(), data["patient"], "patient")

    def _acting(self, booking: Booking, *, patients_may: bool) -> bool:
        """Whether the caller may act on this booking; returns whether booking policy applies."""
        access = access_for(self.request)
        if access.manages(booking.clinic_id) or access.is_own_therapist_booking(booking):
            return False
        if patients_may and access.is_own_patient_booking(booking):
            return True
        raise PermissionDenied("You cannot change this booking.")

    def _done(self, booking: Booking) -> Response:
        # The services return the locked row, current and with its treatment's clinic loaded:
        # the clinic (for its time zone) comes from there, not from another query.
        booking.clinic = booking.treatment.clinic
        return Response(BookingOut(booking).data)

    @extend_schema(request=CancelIn, responses={200: BookingOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel. Inside the clinic's late-cancellation window it is recorded as late."""
        booking = self.get_object()
        apply_policy = self._acting(booking, patients_may=True)
        data = CancelIn(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.cancel_booking(
            booking=booking,
            cancelled_by=request.user,
            reason=data.validated_data["reason"],
            note=data.validated_data["note"],
            apply_policy=apply_policy,
            expected_version=data.validated_data.get("version"),
        )
        return self._done(booking)

    @extend_schema(request=RescheduleIn, responses={200: BookingOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        """Move to another start (and therapist or room). Keeps the booking's id; raises its version."""
        booking = self.get_object()
        apply_policy = self._acting(booking, patients_may=True)
        data = RescheduleIn(data=request.data)
        data.is_valid(raise_exception=True)
        therapist = None
        if data.validated_data.get("therapist"):
            therapist = _field_lookup(
                Therapist.objects.all(), data.validated_data["therapist"], "therapist"
            )
            access = access_for(request)
            if (
                access.is_own_therapist_booking(booking)
                and not access.manages(booking.clinic_id)
                and therapist.pk != access.therapist.pk
            ):
                raise PermissionDenied("Therapists move bookings only within their own diary.")
        booking = services.reschedule_booking(
            booking=booking,
            start=data.validated_data["start"],
            therapist=therapist,
            room=self._room_for_staff(data.validated_data, apply_policy),
            changed_by=request.user,
            apply_policy=apply_policy,
            expected_version=data.validated_data.get("version"),
        )
        return self._done(booking)

    def _staff_status_change(self, request, change) -> Response:
        """A day-of-session status change (check-in, no-show, complete): staff only."""
        booking = self.get_object()
        self._acting(booking, patients_may=False)
        data = VersionedIn(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(
            change(
                booking=booking,
                changed_by=request.user,
                expected_version=data.validated_data.get("version"),
            )
        )

    @extend_schema(request=VersionedIn, responses={200: BookingOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        """The patient has arrived (on the day of the session)."""
        return self._staff_status_change(request, services.check_in_booking)

    @extend_schema(request=VersionedIn, responses={200: BookingOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        """The patient did not come (once the session has started)."""
        return self._staff_status_change(request, services.mark_no_show)

    @extend_schema(request=VersionedIn, responses={200: BookingOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The session took place."""
        return self._staff_status_change(request, services.complete_booking)


# --- blocks -----------------------------------------------------------------------------------


class BlockViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Time off and blocks for therapists and rooms, and clinic closures. Reception manages them."""

    queryset = Block.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = BlockSerializer
    filterset_class = BlockFilter
    ordering_fields = ["start"]

    def get_queryset(self):
        return blocks_visible_to(self.request.user)

    @extend_schema(responses={201: BlockSerializer, **ERRORS, **CONFLICT})
    def create(self, request, *args, **kwargs):
        data = BlockSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        clinic = values.get("clinic") or (values["room"].clinic if values.get("room") else None)
        therapist = values.get("therapist")
        access = access_for(request)
        allowed = (clinic is not None and access.manages(clinic.pk)) or (
            clinic is None
            and therapist is not None
            and any(access.manages(c.pk) for c in therapist.clinics.all())
        )
        if not allowed:
            raise PermissionDenied("Only reception or admins of that clinic may block time.")
        block = services.block_time(
            start=values["start"],
            end=values["end"],
            clinic=values.get("clinic"),
            therapist=therapist,
            room=values.get("room"),
            reason=values.get("reason", ""),
            created_by=request.user,
        )
        return Response(BlockSerializer(block).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        access = access_for(self.request)
        clinic_ids = (
            [instance.clinic_id]
            if instance.clinic_id
            else [c.pk for c in instance.therapist.clinics.all()]
        )
        if not any(access.manages(cid) for cid in clinic_ids):
            raise PermissionDenied("Only reception or admins of that clinic may remove a block.")
        instance.delete()


# --- availability -----------------------------------------------------------------------------


class AvailabilityView(APIView):
    """Every bookable slot of one treatment in a window (at most 62 days)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("treatment", int, required=True),
            OpenApiParameter(
                "start",
                str,
                required=True,
                description="ISO date (clinic midnight) or date-time with offset.",
            ),
            OpenApiParameter(
                "end",
                str,
                required=True,
                description="ISO date (inclusive) or date-time with offset.",
            ),
            OpenApiParameter("therapist", int, description="Only this therapist's slots."),
            OpenApiParameter("clinic", int, description="Must be the treatment's clinic."),
        ],
        responses={200: AvailabilityOut, 400: ERRORS[400], 404: ERRORS[404]},
    )
    def get(self, request):
        query = AvailabilityQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        treatment = get_object_or_404(
            treatments_visible_to(request.user).prefetch_related(None), pk=params["treatment"]
        )
        clinic = treatment.clinic
        if params.get("clinic") not in (None, clinic.pk):
            raise serializers.ValidationError(
                {"clinic": [f"{treatment.name} is offered at {clinic.name} only."]}
            )
        tz = clinic.tz
        start = _window_bound(params["start"], tz, end=False)
        end = _window_bound(params["end"], tz, end=True)
        access = access_for(request)
        staff = access.manages(clinic.pk) or (
            access.therapist is not None and access.is_staff_at(clinic.pk)
        )
        availability = Availability(
            treatment=treatment,
            window_start=start,
            window_end=end,
            therapist_id=params.get("therapist"),
            patient_id=access.patient.pk if access.patient and not staff else None,
            apply_policy=not staff,
        )
        slots = availability.slots()
        return Response(
            {
                "treatment": treatment.pk,
                "clinic": clinic.pk,
                "time_zone": clinic.time_zone,
                "start": local_iso(start, tz),
                "end": local_iso(end, tz),
                "slots": [
                    {
                        "start": local_iso(slot.start, tz),
                        "end": local_iso(slot.end, tz),
                        "therapist": slot.therapist_id,
                        "room": slot.room_id,
                        "places_left": slot.places_left,
                        "capacity": slot.capacity,
                    }
                    for slot in slots
                ],
            }
        )


def _window_bound(value, tz, *, end: bool) -> datetime:
    if isinstance(value, datetime):
        return value
    day = value + timedelta(days=1) if end else value
    return datetime.combine(day, time.min, tzinfo=tz)
