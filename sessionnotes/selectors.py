"""Reads with a rule in them: which notes a user may read, what a note says after its
amendments, the notes a therapist still owes, the last note to copy forward, safety alerts.

Who reads notes: staff who treat the patient (plans/access.py, the one gate; every read is
recorded there). Patients never read notes here: they get them in their data export.
Receptionists and clinic admins who do not treat the patient get 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet

from booking.models import Booking, BookingStatus, ClinicMembership, Patient, StaffRole, Therapist
from plans.access import patients_treated_by

from .models import Amendment, InitialAssessment, SafetyAlert, SessionNote
from .vocabulary import SIGNED_STATUSES

# CSP: records are written straight after the contact, or that working day; the clinic's
# rule here is within 24 hours of the session's end.
NOTE_DUE_WITHIN = timedelta(hours=24)


def notes_at_staff_clinics(user) -> QuerySet[SessionNote]:
    """Notes of the clinics where `user` is a therapist (the gate then decides each read)."""
    notes = SessionNote.objects.select_related("patient", "therapist", "clinic", "booking")
    if user.is_superuser:
        return notes
    clinics = ClinicMembership.objects.filter(user=user, role=StaffRole.THERAPIST).values(
        "clinic_id"
    )
    return notes.filter(clinic_id__in=clinics)


def notes_readable_by(user) -> QuerySet[SessionNote]:
    """The notes `user` may read: of patients they treat (plans.access.patients_treated_by)."""
    return notes_at_staff_clinics(user).filter(patient__in=patients_treated_by(user))


def with_details(notes: QuerySet[SessionNote]) -> QuerySet[SessionNote]:
    """Everything the note representation shows, in a fixed number of queries."""
    return notes.select_related(
        "booking__treatment", "signed_by", "author", "initial_assessment"
    ).prefetch_related(
        "records",
        Prefetch("amendments", queryset=Amendment.objects.select_related("author")),
    )


def amended_values(note: SessionNote) -> dict:
    """The note's content as it reads now: the signed original with each amendment applied in
    order (the original fields themselves never change)."""
    values = {
        name: getattr(note, name)
        for name in ("subjective", "objective", "assessment", "plan", "pain_before", "pain_after")
    }
    values["body_chart"] = note.body_chart
    values["records"] = [{"modality": r.kind, **r.data} for r in note.records.all()]
    for amendment in note.amendments.all():
        for change in amendment.changes:
            values[change["field"]] = change["new"]
    return values


def last_note_before(patient: Patient, when: datetime, *, exclude_pk=None) -> SessionNote | None:
    """The patient's latest note of an earlier session: what the next note copies forward and
    whose body chart it shows for comparison. Signed notes first; a draft if none is signed."""
    earlier = with_details(
        SessionNote.objects.filter(patient=patient, treated_at__lt=when).exclude(pk=exclude_pk)
    ).order_by("-treated_at", "-id")
    return earlier.filter(status__in=SIGNED_STATUSES).first() or earlier.first()


@dataclass(frozen=True)
class NoteDue:
    booking: Booking
    note: SessionNote | None
    due_at: datetime
    overdue: bool


def notes_due(therapist: Therapist, *, now: datetime) -> list[NoteDue]:
    """The therapist's sessions held (arrived or completed) with no signed note, oldest first,
    each due 24 hours after the session ended."""
    bookings = (
        Booking.objects.filter(
            therapist=therapist,
            status__in=[BookingStatus.ARRIVED, BookingStatus.COMPLETED],
            start__lte=now,
        )
        .exclude(session_note__status__in=SIGNED_STATUSES)
        .select_related("patient", "treatment", "clinic", "session_note")
        .order_by("start")
    )
    due = []
    for booking in bookings:
        note = getattr(booking, "session_note", None)
        due_at = booking.end + NOTE_DUE_WITHIN
        due.append(NoteDue(booking, note, due_at, due_at < now))
    return due


def safety_alerts_visible_to(user) -> QuerySet[SafetyAlert]:
    """The clinic-admin safety list: serious adverse events at clinics the user administers,
    and the alerts addressed to them as a plan's lead therapist."""
    alerts = SafetyAlert.objects.select_related(
        "adverse_event__note",
        "patient",
        "clinic",
        "treatment_plan",
        "lead_therapist",
        "reviewed_by",
    )
    if user.is_superuser:
        return alerts
    administered = ClinicMembership.objects.filter(user=user, role=StaffRole.ADMIN).values(
        "clinic_id"
    )
    return alerts.filter(Q(clinic_id__in=administered) | Q(lead_therapist__user=user))


def open_alerts_for(patient_ids) -> QuerySet[SafetyAlert]:
    return SafetyAlert.objects.filter(patient_id__in=patient_ids, reviewed_at__isnull=True)


def assessments_awaiting_clearance(patient: Patient) -> QuerySet[InitialAssessment]:
    return InitialAssessment.objects.filter(
        note__patient=patient, red_flag_positive=True, red_flags_cleared_at__isnull=True
    )


def note_states(booking_ids) -> dict[int, str]:
    """Per booking id: its note's status (draft, signed, amended); absent when none."""
    return dict(
        SessionNote.objects.filter(booking_id__in=list(booking_ids)).values_list(
            "booking_id", "status"
        )
    )
