"""Everything held about one patient, gathered for a subject-access export (UK GDPR Art. 15/20).

`patient_export(patient, user)` reads each kind of record with one query (nested rows come in
by prefetch), so the cost is a fixed number of statements however many bookings, plans or
notes the patient has. Clinical content passes the clinical-read gate (plans.access): the
patient always gets all of it; staff get it only if they are in the patient's care team, and
each record they get is recorded in the audit trail as a read. What a staff member may not read
is left out and listed under `withheld`, so the document says plainly that it is incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from audit.selectors import patient_audit_entries
from booking.models import Booking, Patient
from notifications.directory import FeedKind
from notifications.models import CalendarFeed, Notification
from plans.access import ClinicalRecord, readable_clinical_records
from plans.models import (
    ExerciseLog,
    ExercisePrescription,
    NeedlingScreening,
    OutcomeRecord,
    SessionComponent,
    TreatmentPlan,
)
from sessionnotes.models import SafetyAlert, SessionNote
from waitlist.models import WaitlistEntry

WITHHELD_REASON = (
    "Clinical content is shown to the patient's care team only. The patient can download their "
    "complete copy from their appointments page; a clinician in the care team can read it."
)


@dataclass
class ExportDocument:
    """The export before rendering (privacy.serializers.ExportOut gives it its shape)."""

    generated_at: object
    patient: Patient
    account: object
    bookings: list
    messages: list
    feeds: list
    waiting_list: list
    audit: list
    screenings: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)
    exercise_logs: list = field(default_factory=list)
    session_notes: list = field(default_factory=list)
    safety_alerts: list = field(default_factory=list)
    withheld: list = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.withheld


CLINICAL_SECTIONS = (
    "screenings",
    "plans",
    "outcomes",
    "exercise_logs",
    "session_notes",
    "safety_alerts",
)


def _clinical_sections(patient: Patient) -> dict[str, list]:
    prescriptions = ExercisePrescription.objects.select_related("exercise")
    components = SessionComponent.objects.select_related("treatment")
    plans = TreatmentPlan.objects.filter(patient=patient).prefetch_related(
        "goals",
        "phases",
        Prefetch("phases__components", queryset=components),
        Prefetch("phases__prescriptions", queryset=prescriptions),
        "sessions",
    )
    notes = (
        SessionNote.objects.filter(patient=patient)
        .select_related("initial_assessment")
        .prefetch_related("records", "amendments", "adverse_events")
    )
    return {
        "screenings": list(
            NeedlingScreening.objects.filter(patient=patient).prefetch_related("consents")
        ),
        "plans": list(plans),
        "outcomes": list(OutcomeRecord.objects.filter(plan__patient=patient)),
        "exercise_logs": list(ExerciseLog.objects.filter(plan__patient=patient)),
        "session_notes": list(notes),
        "safety_alerts": list(SafetyAlert.objects.filter(patient=patient)),
    }


def _records_shown(patient: Patient, sections: dict[str, list]) -> list[ClinicalRecord]:
    """One gate entry per clinical record in the document (exercise logs per plan)."""
    records = [ClinicalRecord(patient, "needling_screening", s.pk) for s in sections["screenings"]]
    records += [ClinicalRecord(patient, "treatment_plan", p.pk) for p in sections["plans"]]
    records += [ClinicalRecord(patient, "outcome_record", o.pk) for o in sections["outcomes"]]
    records += [
        ClinicalRecord(patient, "exercise_logs", plan_id)
        for plan_id in sorted({log.plan_id for log in sections["exercise_logs"]})
    ]
    records += [ClinicalRecord(patient, "session_note", n.pk) for n in sections["session_notes"]]
    records += [ClinicalRecord(patient, "safety_alert", a.pk) for a in sections["safety_alerts"]]
    return records


def patient_export(patient: Patient, user) -> ExportDocument:
    """Everything held about `patient`, as `user` may see it (see the module docstring).

    Writes the staff reads of clinical content to the audit trail (one INSERT); recording the
    export itself is the caller's (privacy.services.export_patient_data).
    """
    patient = Patient.objects.select_related("user").get(pk=patient.pk)
    bookings = Booking.objects.filter(patient=patient).select_related(
        "clinic", "treatment", "therapist", "room"
    )
    messages = Notification.objects.filter(entry__patient_id=patient.pk).select_related("entry")
    feeds = CalendarFeed.objects.filter(kind=FeedKind.PATIENT, owner_id=patient.pk)
    document = ExportDocument(
        generated_at=timezone.now(),
        patient=patient,
        account=patient.user,
        bookings=list(bookings),
        messages=list(messages.order_by("created_at", "id")),
        feeds=list(feeds),
        waiting_list=list(WaitlistEntry.objects.filter(patient=patient)),
        audit=list(patient_audit_entries(patient.pk)),
    )
    sections = _clinical_sections(patient)
    records = _records_shown(patient, sections)
    readable = readable_clinical_records(user, records)
    if len(readable) == len(records):
        for name in CLINICAL_SECTIONS:
            setattr(document, name, sections[name])
    else:
        document.withheld = [
            {"section": name, "count": len(sections[name]), "reason": WITHHELD_REASON}
            for name in CLINICAL_SECTIONS
            if sections[name]
        ]
    return document
