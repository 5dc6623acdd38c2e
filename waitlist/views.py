"""`/api/v1/waitlist/`: join, list, and book, decline or remove an entry.

Reception and admins run their clinics' lists; a patient joins for themself and may decline an
offer or leave. The rules live in waitlist.services, as for the diary's waiting-list panel.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from booking.models import Therapist
from booking.selectors import access_for, nameable_patient, treatments_visible_to
from booking.serializers import BookingOut
from core.api import conflict_response, error_responses, lookup

from . import services
from .filters import WaitlistFilter
from .models import WaitlistEntry
from .selectors import entries_visible_to
from .serializers import WaitlistEntryIn, WaitlistEntryOut

ERRORS = error_responses(bad_input="Bad input or an impossible wish.")
CONFLICT = conflict_response("Already waiting, the entry is closed, or the offered slot has gone.")


class WaitlistViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Patients waiting for a treatment sooner than the diary can offer it."""

    queryset = WaitlistEntry.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = WaitlistEntryOut
    filterset_class = WaitlistFilter
    ordering_fields = ["created_at", "earliest"]

    def get_queryset(self):
        return entries_visible_to(self.request.user).order_by("created_at", "id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "access": access_for(self.request)}

    def _out(self, entry: WaitlistEntry, code=status.HTTP_200_OK) -> Response:
        return Response(WaitlistEntryOut(entry, context=self.get_serializer_context()).data, code)

    @extend_schema(request=WaitlistEntryIn, responses={201: WaitlistEntryOut, **ERRORS, **CONFLICT})
    def create(self, request):
        data = WaitlistEntryIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        access = access_for(request)
        treatment = lookup(
            treatments_visible_to(request.user).prefetch_related(None),
            values["treatment"],
            "treatment",
        )
        clinic = treatment.clinic
        if access.manages(clinic.pk):
            if not values.get("patient"):
                raise serializers.ValidationError({"patient": ["Say who is waiting."]})
            patient = nameable_patient(access, clinic.pk, values["patient"])
            if patient is None:
                raise serializers.ValidationError(
                    {"patient": [f"No patient with id {values['patient']}."]}
                )
            notes = values.get("notes", "")
        elif access.patient is not None:
            if values.get("patient") not in (None, access.patient.pk):
                raise PermissionDenied("Patients join the waiting list for themselves only.")
            patient, notes = access.patient, ""
        else:
            raise PermissionDenied("Only the clinic's reception or the patient may add an entry.")
        therapist = None
        if values.get("therapist"):
            therapist = lookup(Therapist.objects.all(), values["therapist"], "therapist")
        today = clinic.today()
        earliest = values.get("earliest") or today
        if earliest < today:
            raise serializers.ValidationError(
                {"earliest": ["The first day cannot be in the past."]}
            )
        entry = services.add_to_waitlist(
            patient=patient,
            treatment=treatment,
            therapist=therapist,
            earliest=earliest,
            latest=values.get("latest"),
            part_of_day=values["part_of_day"],
            notes=notes,
            added_by=request.user,
        )
        return self._out(entry, status.HTTP_201_CREATED)

    def _entry_for(self, *, patients_may: bool) -> WaitlistEntry:
        entry = self.get_object()
        access = access_for(self.request)
        own = access.patient is not None and entry.patient_id == access.patient.pk
        if not (access.manages(entry.clinic_id) or (patients_may and own)):
            raise PermissionDenied("Only the clinic's reception may do this.")
        return entry

    @extend_schema(request=None, responses={201: BookingOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def book(self, request, pk=None):
        """Book the slot on offer (reception), closing the entry; others offered it wait again."""
        entry = self._entry_for(patients_may=False)
        booking = services.book_from_waitlist(entry=entry, booked_by=request.user)
        return Response(
            BookingOut(booking, context={"access": access_for(request)}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={200: WaitlistEntryOut, **ERRORS})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The offered slot is not wanted: back to waiting. Safe to repeat."""
        entry = self._entry_for(patients_may=True)
        return self._out(services.decline_offer(entry=entry))

    @extend_schema(request=None, responses={200: WaitlistEntryOut, **ERRORS})
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """Take the entry off the list. Safe to repeat; a booked entry stays booked."""
        entry = self._entry_for(patients_may=True)
        return self._out(services.remove_from_waitlist(entry=entry))
