"""Thin DRF views for session notes: check who may do it, call one service or selector, render.

Access (plans/access.py is the one gate): therapists who treat the patient read notes, and
every read is recorded; the treating therapist writes, signs and amends; receptionists,
clinic admins without a therapist role and patients get 403 (patients get their notes in
their data export). The clinic-admin safety list is /api/v1/safety-alerts/.
"""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from audit.services import record_reads
from booking.models import Booking, StaffRole
from booking.selectors import access_for
from core.api import error_response
from plans.access import (
    ClinicalRecord,
    is_clinician_anywhere,
    open_clinical_record,
    readable_clinical_records,
)

from . import services
from .filters import NoteFilter
from .models import InitialAssessment, SafetyAlert, SessionNote
from .selectors import (
    notes_at_staff_clinics,
    notes_due,
    notes_readable_by,
    safety_alerts_visible_to,
    with_details,
)
from .serializers import (
    AmendIn,
    AmendmentOut,
    ClearRedFlagsIn,
    NoteCreateIn,
    NoteDueOut,
    NoteOut,
    NoteUpdateIn,
    ReviewAlertIn,
    SafetyAlertOut,
)

ERRORS = {
    400: error_response("Bad input, an invalid record, or a note not complete enough to sign."),
    401: error_response("Not signed in."),
    403: error_response("Not a clinician who treats the patient, or not the note's author."),
    404: error_response("Unknown or not visible."),
}
CONFLICT = {
    409: error_response(
        "note_exists, note_signed, session_not_held, needling_not_cleared or version_conflict."
    )
}
OBJECT_TYPE = "session_note"


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _content(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in ("booking", "version", "initial_assessment")}


@extend_schema_view(
    list=extend_schema(responses={200: NoteOut(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: NoteOut, **ERRORS}),
)
class SessionNoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Session notes. Writes go through create, PATCH (drafts), sign/ and amend/."""

    serializer_class = NoteOut
    filterset_class = NoteFilter
    ordering_fields = ["treated_at", "created_at", "updated_at"]
    ordering = ["-treated_at", "-id"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not is_clinician_anywhere(access_for(request)):
            raise PermissionDenied(
                "Session notes are read and written by the clinicians who treat the patient."
            )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SessionNote.objects.none()
        if self.action == "list":
            return with_details(notes_readable_by(self.request.user))
        return with_details(notes_at_staff_clinics(self.request.user))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        readable_clinical_records(
            request.user, [ClinicalRecord(note.patient, OBJECT_TYPE, note.pk) for note in page]
        )
        return self.get_paginated_response(NoteOut(page, many=True).data)

    def _opened(self) -> SessionNote:
        """The note, once the gate let the caller read it (and recorded the read)."""
        note = self.get_object()
        open_clinical_record(
            self.request.user, note.patient, object_type=OBJECT_TYPE, object_id=note.pk
        )
        return note

    def _rendered(self, note: SessionNote, code=status.HTTP_200_OK) -> Response:
        return Response(
            NoteOut(with_details(SessionNote.objects.filter(pk=note.pk)).get()).data, status=code
        )

    def retrieve(self, request, *args, **kwargs):
        return Response(NoteOut(self._opened()).data)

    @extend_schema(request=NoteCreateIn, responses={201: NoteOut, **ERRORS, **CONFLICT})
    def create(self, request):
        """Start the note of a session you held (one per booking; a second is 409)."""
        data = _valid(NoteCreateIn, request.data)
        booking = (
            Booking.objects.filter(pk=data["booking"]).filter(therapist__user=request.user).first()
        )
        if booking is None:
            raise serializers.ValidationError(
                {"booking": [f"No session of yours with id {data['booking']}."]}
            )
        note = services.write_note(
            booking=booking,
            author=request.user,
            content=_content(data),
            initial_assessment=data.get("initial_assessment"),
        )
        return self._rendered(note, status.HTTP_201_CREATED)

    @extend_schema(request=NoteUpdateIn, responses={200: NoteOut, **ERRORS, **CONFLICT})
    def partial_update(self, request, pk=None):
        """Change a draft (only the fields sent): what the page's autosave calls."""
        note = self._opened()
        data = _valid(NoteUpdateIn, request.data)
        note = services.update_note(
            note=note,
            author=request.user,
            content=_content(data),
            initial_assessment=data.get("initial_assessment"),
            assessment_given="initial_assessment" in data,
            expected_version=data.get("version"),
        )
        return self._rendered(note)

    @extend_schema(request=None, responses={200: NoteOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign and lock the note (signer and time recorded)."""
        note = services.sign_note(note=self._opened(), signed_by=request.user)
        return self._rendered(note)

    @extend_schema(request=AmendIn, responses={201: AmendmentOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        """Correct a signed note: the amendment is shown with the original, which stays."""
        data = _valid(AmendIn, request.data)
        amendment = services.amend_note(
            note=self._opened(), author=request.user, reason=data["reason"], changes=data["changes"]
        )
        return Response(AmendmentOut(amendment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClearRedFlagsIn, responses={200: NoteOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"], url_path="clear-red-flags")
    def clear_red_flags(self, request, pk=None):
        """Clear the assessment's positive red flags (the referral made), so the plan may start."""
        note = self._opened()
        data = _valid(ClearRedFlagsIn, request.data)
        assessment = InitialAssessment.objects.filter(note=note).first()
        if assessment is None:
            raise serializers.ValidationError({"note": ["This note has no initial assessment."]})
        services.clear_red_flags(
            assessment=assessment, cleared_by=request.user, reasoning=data["reasoning"]
        )
        return self._rendered(note)

    # One therapist's unsigned notes: a short list, answered whole (and described so).
    @extend_schema(responses={200: NoteDueOut(many=True), **ERRORS})
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def due(self, request):
        """Your sessions held with no signed note yet, each due 24 hours after it ended."""
        therapist = access_for(request).therapist
        if therapist is None:
            raise PermissionDenied("Only therapists owe session notes.")
        due = notes_due(therapist, now=timezone.now())
        return Response(NoteDueOut(due, many=True).data)


@extend_schema_view(
    list=extend_schema(responses={200: SafetyAlertOut(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: SafetyAlertOut, **ERRORS}),
)
class SafetyAlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The safety list: serious adverse events at the clinics you administer (and those flagged
    to you as a plan's lead therapist), open ones first."""

    serializer_class = SafetyAlertOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SafetyAlert.objects.none()
        alerts = safety_alerts_visible_to(self.request.user)
        if self.request.query_params.get("open") in ("true", "1"):
            alerts = alerts.filter(reviewed_at__isnull=True)
        return alerts.order_by(F("reviewed_at").desc(nulls_first=True), "-raised_at", "-id")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        access = access_for(request)
        if not (access.is_superuser or any(StaffRole.ADMIN in r for r in access.roles.values())):
            if not is_clinician_anywhere(access):
                raise PermissionDenied("The safety list is for clinic admins and clinicians.")

    def _recorded(self, alerts) -> list:
        """Which adverse event a patient had is clinical content: every staff read of the
        list is recorded in the audit trail, like the gate's reads."""
        alerts = list(alerts)
        if alerts:
            record_reads(self.request.user, [(a.patient, "safety_alert", a.pk) for a in alerts])
        return alerts

    def list(self, request, *args, **kwargs):
        page = self._recorded(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(SafetyAlertOut(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(SafetyAlertOut(self._recorded([self.get_object()])[0]).data)

    @extend_schema(request=ReviewAlertIn, responses={200: SafetyAlertOut, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Close the alert with what was done about it."""
        data = _valid(ReviewAlertIn, request.data)
        alert = services.review_safety_alert(
            alert=self.get_object(), reviewed_by=request.user, note=data["note"]
        )
        return Response(SafetyAlertOut(alert).data)
