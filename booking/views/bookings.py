"""Bookings: reads, and the commands (book, cancel, reschedule, day-of-session status)."""

from __future__ import annotations

from django.db.models import Exists
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api import error_response, lookup
from core.throttles import BookingThrottle

from .. import services
from ..filters import BookingFilter
from ..idempotency import run_idempotently
from ..models import Booking, Patient, Room, Therapist
from ..selectors import (
    access_for,
    booking_terms,
    bookings_visible_to,
    change_policy,
    nameable_patient,
    treatment_for_booking,
)
from ..serializers import BookingOut, BookSessionIn, CancelIn, RescheduleIn, VersionedIn
from .common import CONFLICT, ERRORS


def _therapist_ref(row, therapist_id: int | None) -> Therapist | None:
    """The therapist a request names, by id: `row` (the treatment or booking just read) says
    in `therapist_found` whether it exists. The booking services read only its id; the
    availability re-check then judges it (qualified, at work, free) and names it."""
    if therapist_id is None:
        return None
    if not row.therapist_found:
        raise serializers.ValidationError({"therapist": [f"No therapist with id {therapist_id}."]})
    return Therapist(pk=therapist_id)


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
    throttle_classes = [BookingThrottle]
    filterset_class = BookingFilter
    ordering_fields = ["start", "created_at", "updated_at"]
    ordering = ["start", "id"]

    def get_queryset(self):
        return bookings_visible_to(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "access": access_for(self.request)}

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
        therapist_id = data.get("therapist")
        treatment = treatment_for_booking(data["treatment"], therapist_id=therapist_id)
        if treatment is None:
            raise serializers.ValidationError(
                {"treatment": [f"No treatment with id {data['treatment']}."]}
            )
        therapist = _therapist_ref(treatment, therapist_id)
        access = access_for(self.request)
        terms = booking_terms(
            access,
            clinic_id=treatment.clinic_id,
            patient_id=data.get("patient"),
            therapist=therapist,
            channel=data.get("channel"),
        )
        patient = terms.patient or self._patient_for_staff(data, treatment.clinic_id)
        booking = services.book_session(
            treatment=treatment,
            start=data["start"],
            patient=patient,
            therapist=terms.therapist,
            room=self._room_for_staff(data, terms.apply_policy),
            booked_by=self.request.user,
            channel=terms.channel,
            apply_policy=terms.apply_policy,
            notes=data.get("notes", "") if not terms.apply_policy else "",
        )
        booking.clinic = treatment.clinic
        return Response(
            BookingOut(booking, context={"access": access}).data, status=status.HTTP_201_CREATED
        )

    def _room_for_staff(self, data: dict, apply_policy: bool) -> Room | None:
        if not data.get("room"):
            return None
        if apply_policy:
            raise serializers.ValidationError({"room": ["Only clinic staff choose rooms."]})
        return lookup(Room.objects.all(), data["room"], "room")

    def _patient_for_staff(self, data: dict, clinic_id: int) -> Patient:
        if not data.get("patient"):
            raise serializers.ValidationError(
                {"patient": ["Say which patient this booking is for."]}
            )
        patient = nameable_patient(access_for(self.request), clinic_id, data["patient"])
        if patient is None:
            raise serializers.ValidationError(
                {"patient": [f"No patient with id {data['patient']}."]}
            )
        return patient

    def _acting(self, booking: Booking, *, patients_may: bool) -> bool:
        """Whether the caller may act on this booking; returns whether booking policy applies."""
        return change_policy(access_for(self.request), booking, patients_may=patients_may)

    def _done(self, booking: Booking) -> Response:
        # The services return the locked row, current and with its clinic loaded.
        return Response(BookingOut(booking, context={"access": access_for(self.request)}).data)

    @extend_schema(request=CancelIn, responses={200: BookingOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel. Inside the clinic's late-cancellation window it is recorded as late."""
        booking = self._booking_to_change(pk)
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
        data = RescheduleIn(data=request.data)
        data.is_valid(raise_exception=True)
        therapist_id = data.validated_data.get("therapist")
        booking = self._booking_to_change(pk, therapist_id)
        apply_policy = self._acting(booking, patients_may=True)
        therapist = _therapist_ref(booking, therapist_id)
        if therapist is not None:
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

    def _booking_to_change(self, pk, therapist_id: int | None = None) -> Booking:
        """The booking a command acts on, if the caller may see it (404 otherwise, as
        `get_object()` answers): the same rule as `bookings_visible_to`, judged on the row with
        the caller's roles loaded with their token, so the look-up is by primary key alone.
        With `therapist_id`, the same query says whether that therapist exists."""
        queryset = Booking.objects.filter(pk=pk)
        if therapist_id is not None:
            queryset = queryset.annotate(
                therapist_found=Exists(Therapist.objects.filter(pk=therapist_id))
            )
        booking = queryset.first()
        access = access_for(self.request)
        if booking is None or not (
            access.manages(booking.clinic_id)
            or access.is_own_therapist_booking(booking)
            or access.is_own_patient_booking(booking)
        ):
            raise Http404
        self.check_object_permissions(self.request, booking)
        return booking

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
        """The patient did not come (from the start plus the clinic's no-show grace period)."""
        return self._staff_status_change(request, services.mark_no_show)

    @extend_schema(request=VersionedIn, responses={200: BookingOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The session took place."""
        return self._staff_status_change(request, services.complete_booking)
