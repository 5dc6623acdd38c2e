"""A patient's record for their care team: one timeline of everything that happened, and the
at-a-glance summary a therapist sees when they open a session.

The timeline is assembled from a list of sources (TIMELINE_SOURCES), one small function per
kind of record, so a new kind of record is one more function in that list. Clinical entries
carry the ClinicalRecord they show; the page lets them through plans.access in one call, which
records every read in one INSERT (audit.services.record_reads).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.urls import reverse

from booking.models import Booking, Patient
from notifications.selectors import messages_about_patient
from plans.access import ClinicalRecord, open_clinical_records
from plans.models import (
    NeedlingConsent,
    NeedlingScreening,
    OutcomeRecord,
    PlanPhase,
    PlanSession,
    PlanStatus,
    TreatmentPlan,
)
from plans.selectors import MeasureProgress, needling_clearance, plan_progress
from sessionnotes.models import Amendment, SessionNote

from .therapists import NEEDLING_STATUS_TEXT

KIND_LABELS = {
    "booking": "Booking",
    "plan": "Plan",
    "outcome": "Outcome",
    "screening": "Screening",
    "consent": "Consent",
    "message": "Message",
    "note": "Session note",
}


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to a patient, as the record page lists it."""

    at: datetime
    kind: str  # a stable word for the page's filter and styling: booking, plan, outcome, ...
    title: str
    detail: str = ""
    url: str = ""
    clinical: ClinicalRecord | None = None  # set for clinical content: read through the gate

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind.replace("_", " ").capitalize())


def _outcome_time(outcome: OutcomeRecord) -> datetime:
    """When a score was taken: its session's start; else when it was entered, if that was on the
    day it is for; else noon on that day (a score carries a date only), so it sorts among the
    day's timed entries without claiming a precise time."""
    tz = outcome.plan.clinic.tz
    if outcome.booking is not None:
        return outcome.booking.start
    if outcome.created_at.astimezone(tz).date() == outcome.recorded_on:
        return outcome.created_at
    return datetime.combine(outcome.recorded_on, time(12), tzinfo=tz)


def _local(moment: datetime, clinic) -> str:
    return f"{moment.astimezone(clinic.tz):%a %-d %b %Y, %H:%M}"


def booking_entries(patient: Patient) -> list[TimelineEntry]:
    bookings = Booking.objects.filter(patient=patient).select_related(
        "clinic", "treatment", "therapist"
    )
    return [
        TimelineEntry(
            at=booking.start,
            kind="booking",
            title=f"{booking.treatment.name} with {booking.therapist.full_name}",
            detail=f"{booking.get_status_display()} · {booking.clinic.name} · "
            f"{_local(booking.start, booking.clinic)}",
            url=reverse("web:therapist_session", args=[booking.pk]),
        )
        for booking in bookings
    ]


def plan_entries(patient: Patient) -> list[TimelineEntry]:
    entries = []
    for plan in TreatmentPlan.objects.filter(patient=patient).select_related(
        "clinic", "lead_therapist"
    ):
        record = ClinicalRecord(patient, "treatment_plan", plan.pk)
        url = ""
        entries.append(
            TimelineEntry(
                plan.created_at,
                "plan",
                f"Plan started: {plan}",
                f"Led by {plan.lead_therapist.full_name}; {plan.get_status_display().lower()}",
                url,
                record,
            )
        )
        if plan.closed_at:
            ending = "Discharged" if plan.status == PlanStatus.COMPLETED else "Plan discontinued"
            entries.append(
                TimelineEntry(
                    plan.closed_at,
                    "plan",
                    f"{ending}: {plan}",
                    plan.discontinued_reason,
                    url,
                    record,
                )
            )
    return entries


def outcome_entries(patient: Patient) -> list[TimelineEntry]:
    outcomes = OutcomeRecord.objects.filter(plan__patient=patient).select_related(
        "plan__clinic", "booking"
    )
    return [
        TimelineEntry(
            _outcome_time(outcome),
            "outcome",
            f"{outcome.get_measure_display()}{f' ({outcome.label})' if outcome.label else ''}: "
            f"{outcome.value.normalize():f}",
            ("Reported by the patient" if outcome.reported_by_patient else "Measured in clinic")
            + (f" · {outcome.notes}" if outcome.notes else ""),
            "",
            ClinicalRecord(patient, "outcome_record", outcome.pk),
        )
        for outcome in outcomes
    ]


def screening_entries(patient: Patient) -> list[TimelineEntry]:
    entries = []
    for screening in NeedlingScreening.objects.filter(patient=patient):
        findings = len(screening.absolute_contraindications) + len(
            screening.relative_contraindications
        )
        entries.append(
            TimelineEntry(
                screening.screened_at,
                "screening",
                "Dry-needling screening",
                (
                    f"{findings} finding(s) to consider"
                    if findings
                    else "No contraindications or precautions"
                )
                + f"; valid until {screening.valid_until:%-d %b %Y}",
                clinical=ClinicalRecord(patient, "needling_screening", screening.pk),
            )
        )
    return entries


def consent_entries(patient: Patient) -> list[TimelineEntry]:
    entries = []
    for consent in NeedlingConsent.objects.filter(patient=patient):
        record = ClinicalRecord(patient, "needling_consent", consent.pk)
        entries.append(
            TimelineEntry(
                consent.given_at,
                "consent",
                "Consent to dry needling",
                f"{consent.get_method_display()}, by {consent.given_by}: {consent.scope}",
                clinical=record,
            )
        )
        if consent.withdrawn_at:
            entries.append(
                TimelineEntry(
                    consent.withdrawn_at,
                    "consent",
                    "Consent to dry needling withdrawn",
                    consent.withdrawal_note,
                    clinical=record,
                )
            )
    return entries


def message_entries(patient: Patient) -> list[TimelineEntry]:
    return [
        TimelineEntry(message.at, "message", message.title, message.detail)
        for message in messages_about_patient(patient.pk)
    ]


def note_entries(patient: Patient) -> list[TimelineEntry]:
    """Session notes (when signed, or drafted) and their amendments; each note's read is
    recorded once (its amendments are part of it)."""
    entries = []
    notes = SessionNote.objects.filter(patient=patient).select_related("therapist", "clinic")
    for note in notes:
        record = ClinicalRecord(patient, "session_note", note.pk)
        url = reverse("web:note", args=[note.booking_id])
        signed = note.signed_at is not None
        entries.append(
            TimelineEntry(
                note.signed_at if signed else note.updated_at,
                "note",
                f"Session note {'signed' if signed else 'drafted'} by {note.therapist.full_name}",
                f"Session of {_local(note.treated_at, note.clinic)}",
                url,
                record,
            )
        )
    for amendment in Amendment.objects.filter(note__patient=patient).select_related("note"):
        entries.append(
            TimelineEntry(
                amendment.created_at,
                "note",
                "Session note amended",
                amendment.reason,
                reverse("web:note", args=[amendment.note.booking_id]),
            )
        )
    return entries


# Every kind of record the timeline shows, in no particular order (entries are sorted by time).
TIMELINE_SOURCES: tuple[Callable[[Patient], list[TimelineEntry]], ...] = (
    booking_entries,
    plan_entries,
    outcome_entries,
    screening_entries,
    consent_entries,
    message_entries,
    note_entries,
)


def patient_timeline(user, patient: Patient) -> list[TimelineEntry]:
    """Everything in the patient's record, newest first, for a member of their care team.

    Raises NotInCareTeam (403) unless `user` treats the patient; every clinical entry shown is
    recorded as read, all in one INSERT.
    """
    entries = [entry for source in TIMELINE_SOURCES for entry in source(patient)]
    open_clinical_records(
        user,
        [ClinicalRecord(patient, "patient_record", patient.pk)]
        + [entry.clinical for entry in entries if entry.clinical is not None],
    )
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


# --- a session at a glance -----------------------------------------------------------------------


@dataclass(frozen=True)
class SessionGlance:
    """What a therapist needs to know about the patient when they open a session."""

    plan: TreatmentPlan | None
    phase: PlanPhase | None
    session_number: int | None
    of_sessions: int | None
    progress: list[MeasureProgress]
    needling_status: str
    needling_cleared: bool
    screening: NeedlingScreening | None


def _plan_for(booking: Booking) -> tuple[TreatmentPlan | None, PlanSession | None]:
    """The plan the session belongs to, else the patient's active plan at that clinic."""
    session = (
        PlanSession.objects.filter(booking=booking)
        .select_related("plan__clinic", "component__phase")
        .first()
    )
    if session is not None:
        return session.plan, session
    plan = (
        TreatmentPlan.objects.filter(
            patient_id=booking.patient_id, clinic_id=booking.clinic_id, status=PlanStatus.ACTIVE
        )
        .select_related("clinic")
        .order_by("-start_date", "-id")
        .first()
    )
    return plan, None


def _phase_on(plan: TreatmentPlan, day: date) -> PlanPhase | None:
    """The phase whose weeks contain `day` (the last one once the plan has run past them)."""
    phases = list(plan.phases.order_by("order"))
    if not phases:
        return None
    week = (day - plan.start_date).days // 7 + 1
    current = [phase for phase in phases if phase.start_week <= week <= phase.end_week]
    if current:
        return current[0]
    return phases[0] if week < phases[0].start_week else phases[-1]


def session_glance(user, booking: Booking) -> SessionGlance:
    """The patient at a glance for `booking`: plan and phase, outcomes, needling screening.

    Raises NotInCareTeam (403) unless `user` treats the patient; the plan, its outcomes and the
    screening shown are recorded as read in one INSERT.
    """
    patient = booking.patient
    day = booking.start.astimezone(booking.clinic.tz).date()
    plan, session = _plan_for(booking)
    clearance = needling_clearance(patient=patient, on=day)
    screening = clearance.screening
    records = [ClinicalRecord(patient, "session_overview", booking.pk)]
    if plan is not None:
        records.append(ClinicalRecord(patient, "treatment_plan", plan.pk))
        records.append(ClinicalRecord(patient, "plan_progress", plan.pk))
    if screening is not None:
        records.append(ClinicalRecord(patient, "needling_screening", screening.pk))
    open_clinical_records(user, records)
    if session is not None:
        phase = session.component.phase
        of_sessions = PlanSession.objects.filter(component_id=session.component_id).count()
    else:
        phase = _phase_on(plan, day) if plan is not None else None
        of_sessions = None
    return SessionGlance(
        plan=plan,
        phase=phase,
        session_number=session.sequence if session else None,
        of_sessions=of_sessions,
        progress=plan_progress(plan) if plan is not None else [],
        needling_status=NEEDLING_STATUS_TEXT.get(clearance.status, clearance.status),
        needling_cleared=clearance.cleared,
        screening=screening,
    )
