"""What the note pages share: opening a session through the gate, and the form's context."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from booking.models import Booking
from booking.selectors import access_for, bookings_visible_to
from plans.access import ClinicalRecord, is_clinician_anywhere, open_clinical_records
from plans.errors import NotInCareTeam
from plans.selectors import needling_clearance
from sessionnotes import services
from sessionnotes.modalities import record_warnings
from sessionnotes.models import InitialAssessment, SessionNote
from sessionnotes.red_flags import SCREEN_FOR_CONDITION
from sessionnotes.selectors import amended_values, last_note_before, with_details
from sessionnotes.services.rules import plan_for
from sessionnotes.vocabulary import (
    QUALIFICATION_FOR,
    RECORDS_FOR_MODALITY,
    RecordKind,
)

from ... import note_form
from ...body_chart_svg import body_chart_svg
from ..common import refuse, sign_in_first

OBJECT_TYPE = "session_note"
# Carried forward from the last note: the course as it stands. Subjective, objective and pain
# scores are this session's own findings; adverse events and "sharps disposed" are confirmed
# afresh every time (decision 0009).
NOT_COPIED = ("subjective", "objective", "pain_before", "pain_after")


class Refused(Exception):
    def __init__(self, response: HttpResponse):
        self.response = response


@dataclass
class Session:
    booking: Booking
    note: SessionNote | None
    previous: SessionNote | None
    is_author: bool

    @cached_property
    def clearance(self):
        """The patient's needling clearance on the session's day (read once per request)."""
        day = self.booking.start.astimezone(self.booking.clinic.tz).date()
        return needling_clearance(patient=self.booking.patient, on=day)

    @cached_property
    def allowed_kinds(self) -> list[str]:
        """The sections this therapist may write: qualified for, needling only if cleared."""
        held = set(self.booking.therapist.qualifications.values_list("code", flat=True))
        return [
            kind
            for kind in RecordKind.values
            if QUALIFICATION_FOR[kind] in held
            and (kind != RecordKind.DRY_NEEDLING or self.clearance.cleared)
        ]


def _open_session(request: HttpRequest, pk: int) -> Session:
    """The booking, its note and the previous note, once the caller may read them (recorded)."""
    if not request.user.is_authenticated:
        raise Refused(sign_in_first(request))
    booking = get_object_or_404(
        bookings_visible_to(request.user).select_related(
            "patient", "therapist__user", "room", "treatment", "clinic"
        ),
        pk=pk,
    )
    if not is_clinician_anywhere(access_for(request)):
        raise Refused(
            refuse(
                request,
                "Session notes are read and written by the clinicians who treat the patient.",
            )
        )
    note = with_details(SessionNote.objects.filter(booking=booking)).first()
    previous = last_note_before(
        booking.patient, booking.start, exclude_pk=note.pk if note else None
    )
    reads = [ClinicalRecord(booking.patient, OBJECT_TYPE, n.pk) for n in (note, previous) if n]
    try:
        open_clinical_records(
            request.user, reads or [ClinicalRecord(booking.patient, "session_overview", pk)]
        )
    except NotInCareTeam as refused:
        raise Refused(refuse(request, refused.message)) from refused
    is_author = booking.therapist.user_id == request.user.pk
    return Session(booking, note, previous, is_author)


def _copied_forward(previous: SessionNote, allowed: list[str]) -> dict:
    content = {k: v for k, v in amended_values(previous).items() if k not in NOT_COPIED}
    records = []
    for record in content.get("records", []):
        if record["modality"] not in allowed:
            continue
        record = {k: v for k, v in record.items() if k not in ("adverse_events", "sharps_disposed")}
        records.append(record)
    content["records"] = records
    return content


def _starting_content(session: Session, *, blank: bool, allowed: list[str]) -> tuple[dict, bool]:
    """A new note's content: the treatment's sections, pre-filled from the last note."""
    booking = session.booking
    copied = session.previous is not None and not blank
    content = _copied_forward(session.previous, allowed) if copied else {"records": []}
    present = [r["modality"] for r in content["records"]]
    for kind in RECORDS_FOR_MODALITY.get(booking.treatment.modality, []):
        if kind in allowed and kind not in present:
            content["records"].append({"modality": kind})
    return content, copied


def _needs_assessment(session: Session, plan) -> bool:
    if session.note is not None:
        return hasattr(session.note, "initial_assessment") or services.needs_assessment(
            session.note
        )
    booking = session.booking
    probe = SessionNote(
        booking=booking,
        patient=booking.patient,
        treatment_plan=plan,
        treated_at=booking.start,
    )
    return services.needs_assessment(probe)


def _context(
    request: HttpRequest,
    session: Session,
    content: dict,
    *,
    errors: dict | None = None,
    problem: str = "",
    conflict: bool = False,
    copied: bool = False,
    assessment: dict | None = None,
    add_row: str = "",
    amending: bool = False,
) -> dict:
    booking = session.booking
    errors = errors or {}
    clearance = session.clearance
    present = [r["modality"] for r in content.get("records") or []]
    addable = [
        (kind, RecordKind(kind).label) for kind in session.allowed_kinds if kind not in present
    ]
    previous_marks = (
        amended_values(session.previous)["body_chart"] if session.previous is not None else []
    )
    marks = content.get("body_chart") or []
    bound = note_form.bind_note(content, errors, add_row=add_row)
    warnings = [
        w.message
        for record in content.get("records") or []
        for w in record_warnings(record["modality"], record)
    ]
    plan = session.note.treatment_plan if session.note else plan_for(booking)
    needs_assessment = assessment is not None or _needs_assessment(session, plan)
    context = {
        "booking": booking,
        "patient": booking.patient,
        "note": session.note,
        "previous": session.previous,
        "previous_values": amended_values(session.previous) if session.previous else None,
        "previous_marks": note_form.describe_marks(previous_marks),
        "form": bound,
        "errors": errors,
        "error_list": [
            (name, note_form.error_label(name), message)
            for name, messages_ in errors.items()
            for message in messages_
        ],
        "problem": problem,
        "conflict": conflict,
        "copied": copied,
        "addable": addable,
        "region_groups": note_form.REGION_GROUPS,
        "chart": body_chart_svg(
            marks,
            previous_marks,
            chart_id="body-chart",
            label=_chart_label(marks, previous_marks),
        ),
        "mark_lines": note_form.describe_marks(marks),
        "warnings": warnings,
        "needling_cleared": clearance.cleared,
        "needling_reason": (
            "" if clearance.cleared else clearance.error(booking.patient, clinical_detail=True)
        ),
        "version": session.note.version if session.note else "",
        "amending": amending,
        "autosave_url": reverse("web:note_autosave", args=[booking.pk]),
    }
    if needs_assessment and not amending:
        if assessment is None and session.note is not None:
            saved = InitialAssessment.objects.filter(note=session.note).first()
            assessment = note_form.assessment_values(saved)
        default_screen = SCREEN_FOR_CONDITION.get(plan.condition, "") if plan else ""
        context["assessment"] = note_form.bind_assessment(
            assessment or {}, errors, default_screen=default_screen
        )
    return context


def _chart_label(marks: list[dict], previous: list[dict]) -> str:
    now = "; ".join(note_form.describe_marks(marks)) or "nothing marked yet"
    label = f"Body chart, front and back. Marked: {now}."
    if previous:
        label += f" Last note: {'; '.join(note_form.describe_marks(previous))}."
    return label
