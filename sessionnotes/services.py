"""Every write to a session note that carries a rule, one function per use case.

- write_note: the treating therapist starts the note of a session they held (one per booking);
- update_note: the draft as it grows (autosave sends what changed);
- sign_note: completeness, needle count and needling clearance checked, then locked;
- amend_note: a correction to a signed note, kept beside the original;
- clear_red_flags: a clinician clears the positive red flags of an assessment;
- review_safety_alert: a clinic admin or the lead therapist closes a serious-event alert;
- check_red_flags_cleared: plan activation's check (registered in SessionNotesConfig.ready).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from rest_framework import serializers

from booking.models import Booking, BookingStatus
from plans.access import treats
from plans.errors import NotInCareTeam
from plans.models import OPEN_STATUSES, PlanSession, TreatmentPlan
from plans.selectors import needling_clearance

from . import assessment as assessment_rules
from . import errors
from .body_chart import clean_body_chart
from .modalities import clean_record, missing_for_signing, needles_reconciled
from .models import (
    SOAP_FIELDS,
    AdverseEvent,
    Amendment,
    InitialAssessment,
    ModalityRecord,
    SafetyAlert,
    SessionNote,
)
from .red_flags import Answer
from .vocabulary import QUALIFICATION_FOR, NoteStatus, RecordKind, Severity

# Fields a note's content is made of: what a draft update and an amendment may change.
CONTENT_FIELDS = (*SOAP_FIELDS, "pain_before", "pain_after", "body_chart", "records")
ATTENDED = (BookingStatus.ARRIVED, BookingStatus.COMPLETED)


@dataclass(frozen=True)
class RecordIn:
    kind: str
    data: dict


# --- checks shared by the writes -----------------------------------------------------------------


def _require_author(booking: Booking, user) -> None:
    therapist = booking.therapist
    if therapist.user_id is None or therapist.user_id != getattr(user, "pk", None):
        raise errors.NotTheAuthor()


def _require_session_held(booking: Booking, now: datetime) -> None:
    """A note is for a session that took place: attended, or under way (started, not marked)."""
    held = booking.status in ATTENDED or (
        booking.status == BookingStatus.CONFIRMED and booking.start <= now
    )
    if not held:
        if booking.status in (BookingStatus.CANCELLED, BookingStatus.NO_SHOW):
            raise errors.SessionNotHeld(
                f"This session was {booking.get_status_display().lower()}; it has no note."
            )
        raise errors.SessionNotHeld("The session has not started yet; write its note after.")


def clean_records(items) -> list[RecordIn]:
    """`records` input: a list of {modality, ...that modality's fields}, one per modality."""
    if not isinstance(items, list):
        raise serializers.ValidationError({"records": ["Give a list of records."]})
    cleaned: list[RecordIn] = []
    problems: dict[str, object] = {}
    seen: set[str] = set()
    for n, item in enumerate(items):
        if not isinstance(item, dict) or item.get("modality") not in RecordKind.values:
            problems[str(n)] = {
                "modality": [f"Choose one of: {', '.join(RecordKind.values)}."],
            }
            continue
        kind = item["modality"]
        if kind in seen:
            problems[str(n)] = {"modality": ["One record per modality: merge the two."]}
            continue
        seen.add(kind)
        try:
            cleaned.append(
                RecordIn(
                    kind, clean_record(kind, {k: v for k, v in item.items() if k != "modality"})
                )
            )
        except serializers.ValidationError as invalid:
            problems[str(n)] = invalid.detail
    if problems:
        raise serializers.ValidationError({"records": problems})
    return cleaned


def _require_qualified(booking: Booking, records: list[RecordIn]) -> None:
    held = set(booking.therapist.qualifications.values_list("code", flat=True))
    lacking = [r.kind for r in records if QUALIFICATION_FOR[r.kind] not in held]
    if lacking:
        names = ", ".join(RecordKind(kind).label for kind in lacking)
        raise errors.ModalityNotQualified(
            f"{booking.therapist.full_name} is not qualified for {names}.",
            details={"modalities": lacking},
        )


def _require_needling_cleared(booking: Booking, records: list[RecordIn]) -> None:
    """The rule that gates needling bookings (plans.selectors.needling_clearance), on the
    session's date: a needling record needs the patient cleared that day."""
    if not any(r.kind == RecordKind.DRY_NEEDLING for r in records):
        return
    day = booking.start.astimezone(booking.clinic.tz).date()
    clearance = needling_clearance(patient=booking.patient, on=day)
    if not clearance.cleared:
        reason = clearance.error(booking.patient, clinical_detail=True)
        raise errors.NeedlingNotCleared(
            f"Dry needling cannot be recorded: {reason.message}",
            details={"reason": reason.code},
        )


def _plan_for(booking: Booking) -> TreatmentPlan | None:
    """The booking's planned session's plan, else the patient's open plan at that clinic."""
    session = PlanSession.objects.filter(booking=booking).select_related("plan").first()
    if session is not None:
        return session.plan
    return (
        TreatmentPlan.objects.filter(
            patient_id=booking.patient_id, clinic_id=booking.clinic_id, status__in=OPEN_STATUSES
        )
        .order_by("-start_date", "-id")
        .first()
    )


def _clean_content(changes: dict) -> tuple[dict, list[RecordIn] | None]:
    """Validated note fields and records from request data: types and NPRS range (checked here
    too, since amendment changes arrive as a free-form object), body chart and records."""
    fields = {
        name: changes[name] for name in CONTENT_FIELDS if name in changes and name != "records"
    }
    for name in SOAP_FIELDS:
        if name in fields and not isinstance(fields[name], str):
            raise serializers.ValidationError({name: ["Give text."]})
    for name in ("pain_before", "pain_after"):
        value = fields.get(name)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10
        ):
            raise serializers.ValidationError({name: ["NPRS runs from 0 to 10."]})
    if "body_chart" in fields:
        fields["body_chart"] = clean_body_chart(fields["body_chart"] or [])
    records = clean_records(changes["records"]) if "records" in changes else None
    return fields, records


# --- records and their adverse events ------------------------------------------------------------


def _event_rows(note: SessionNote, record: ModalityRecord | None, kind: str, data: dict):
    return [
        AdverseEvent(
            note=note,
            record=record,
            modality=kind,
            patient_id=note.patient_id,
            kind=event["kind"],
            severity=event["severity"],
            onset=event.get("onset", ""),
            action=event.get("action", ""),
            occurred_at=note.treated_at,
        )
        for event in data.get("adverse_events", [])
    ]


def _raise_alerts(note: SessionNote, events: list[AdverseEvent], now: datetime) -> None:
    """A serious adverse event flags the plan and its lead therapist (SafetyAlert)."""
    plan = note.treatment_plan
    for event in events:
        if event.severity == Severity.SERIOUS:
            SafetyAlert.objects.create(
                adverse_event=event,
                patient_id=note.patient_id,
                clinic_id=note.clinic_id,
                treatment_plan=plan,
                lead_therapist_id=plan.lead_therapist_id if plan else note.therapist_id,
                raised_at=now,
            )


def _event_key(kind: str, event) -> tuple:
    if isinstance(event, AdverseEvent):
        return (event.modality, event.kind, event.severity, event.onset, event.action)
    return (kind, event["kind"], event["severity"], event.get("onset", ""), event.get("action", ""))


def _sync_events(note: SessionNote, record: ModalityRecord, now: datetime) -> None:
    """The record's adverse-event rows follow its data: unchanged events keep their rows (and
    any alert and its review), removed ones go, new ones are added and serious ones alerted."""
    stored = list(record.events.all())
    new_events = []
    for row in _event_rows(note, record, record.kind, record.data):
        match = next(
            (e for e in stored if _event_key(e.modality, e) == _event_key(e.modality, row)), None
        )
        if match is not None:
            stored.remove(match)
        else:
            new_events.append(row)
    for event in stored:  # no longer in the record
        event.delete()
    for event in new_events:
        event.save()
    _raise_alerts(note, new_events, now)


def _save_records(note: SessionNote, records: list[RecordIn], now: datetime) -> None:
    """Make the draft's records exactly `records`: changed ones updated in place (one history
    row each), dropped ones deleted, new ones added; adverse events follow their record."""
    existing = {record.kind: record for record in note.records.all()}
    for position, item in enumerate(records):
        record = existing.pop(item.kind, None)
        if record is None:
            record = ModalityRecord.objects.create(
                note=note, kind=item.kind, data=item.data, position=position
            )
        elif record.data != item.data or record.position != position:
            record.data, record.position = item.data, position
            record.save(update_fields=["data", "position"])
        else:
            continue
        _sync_events(note, record, now)
    for record in existing.values():
        record.delete()


# --- the initial assessment ----------------------------------------------------------------------


def _save_assessment(note: SessionNote, data: dict | None) -> None:
    if data is None:
        InitialAssessment.objects.filter(note=note).delete()
        return
    cleaned = assessment_rules.clean_assessment(data)
    assessment, _ = InitialAssessment.objects.get_or_create(note=note)
    referral = cleaned.get("referral") or {}
    values = {
        "presenting_complaint": cleaned.get("presenting_complaint", ""),
        "case_history": cleaned.get("history", ""),
        "screen": cleaned.get("screen", ""),
        "red_flags": cleaned.get("red_flags", {}),
        "baseline_outcomes": cleaned.get("baseline_outcomes", []),
        "working_diagnosis": cleaned.get("working_diagnosis", ""),
        "referral_urgency": referral.get("urgency", ""),
        "referral_destination": referral.get("destination", ""),
        "referral_notes": referral.get("notes", ""),
    }
    values["red_flag_positive"] = assessment_rules.is_positive(
        values["screen"], values["red_flags"]
    )
    if values["referral_urgency"] and assessment.referred_at is None:
        values["referred_at"] = timezone.now()
    changed = [name for name, value in values.items() if getattr(assessment, name) != value]
    if not changed:
        return
    if assessment.red_flags_cleared_at is not None and values["red_flag_positive"]:
        # New answers after a clearance are judged again.
        positive_before = {c for c, a in assessment.red_flags.items() if a["answer"] == Answer.YES}
        positive_now = {c for c, a in values["red_flags"].items() if a["answer"] == Answer.YES}
        if positive_now - positive_before:
            values.update(red_flags_cleared_at=None, red_flags_cleared_by=None)
            changed += ["red_flags_cleared_at", "red_flags_cleared_by"]
    for name, value in values.items():
        setattr(assessment, name, value)
    assessment.save()


def needs_assessment(note: SessionNote) -> bool:
    """The first session of a plan (or an assessment appointment) has an initial assessment:
    a plan's note needs one unless an earlier note of the patient belongs to that plan or holds
    an assessment (the plan is often drafted after the assessment session)."""
    if note.booking.treatment.modality == "assessment":
        return True
    if note.treatment_plan_id is None:
        return False
    earlier = SessionNote.objects.filter(patient_id=note.patient_id, treated_at__lt=note.treated_at)
    return not earlier.filter(
        Q(treatment_plan_id=note.treatment_plan_id) | Q(initial_assessment__isnull=False)
    ).exists()


# --- the use cases -------------------------------------------------------------------------------


@transaction.atomic
def write_note(
    *,
    booking: Booking,
    author,
    content: dict,
    initial_assessment: dict | None = None,
    now: datetime | None = None,
) -> SessionNote:
    """Start the note of a session: by its therapist, for a session held, one per booking.

    `content` holds any of the SOAP fields, pain_before/after, body_chart and records. Raises
    NotTheAuthor (403), SessionNotHeld (409), NoteExists (409, also when two requests race),
    ModalityNotQualified (400), NeedlingNotCleared (409), ValidationError (400) for bad shapes.
    Writes nothing on failure.
    """
    now = now or timezone.now()
    booking = (
        Booking.objects.select_for_update()
        .select_related("clinic", "patient", "therapist", "treatment")
        .get(pk=booking.pk)
    )
    _require_author(booking, author)
    _require_session_held(booking, now)
    if SessionNote.objects.filter(booking=booking).exists():
        raise errors.NoteExists()
    fields, records = _clean_content(content)
    records = records or []
    _require_qualified(booking, records)
    _require_needling_cleared(booking, records)
    try:
        with transaction.atomic():
            note = SessionNote.objects.create(
                booking=booking,
                patient=booking.patient,
                clinic=booking.clinic,
                therapist=booking.therapist,
                treatment_plan=_plan_for(booking),
                treated_at=booking.start,
                author=author,
                **fields,
            )
    except IntegrityError as exc:
        # The row lock above serialises writers on PostgreSQL; on SQLite the unique booking
        # column is what stops a second note.
        raise errors.NoteExists() from exc
    _save_records(note, records, now)
    if initial_assessment is not None:
        _save_assessment(note, initial_assessment)
    return note


def _locked_note(note: SessionNote) -> SessionNote:
    return (
        SessionNote.objects.select_for_update()
        .select_related(
            "booking__clinic", "booking__patient", "booking__therapist", "booking__treatment"
        )
        .get(pk=note.pk)
    )


@transaction.atomic
def update_note(
    *,
    note: SessionNote,
    author,
    content: dict,
    initial_assessment: dict | None = None,
    assessment_given: bool = False,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> SessionNote:
    """Change a draft: only the fields given. NoteSigned (409) once signed; VersionConflict
    (409) when `expected_version` is stale (two tabs autosaving); otherwise as write_note."""
    now = now or timezone.now()
    note = _locked_note(note)
    _require_author(note.booking, author)
    if note.is_signed:
        raise errors.NoteSigned()
    if expected_version is not None and expected_version != note.version:
        raise errors.VersionConflict()
    fields, records = _clean_content(content)
    if records is not None:
        _require_qualified(note.booking, records)
        _require_needling_cleared(note.booking, records)
        _save_records(note, records, now)
    for name, value in fields.items():
        setattr(note, name, value)
    note.version = F("version") + 1
    note.save()
    if assessment_given:
        _save_assessment(note, initial_assessment)
    note.refresh_from_db()
    return note


def _signing_problems(note: SessionNote) -> tuple[list[str], list[str]]:
    """(missing fields, modalities whose needle count does not reconcile)."""
    missing = [
        name
        for name in ("subjective", "objective", "assessment", "plan")
        if not getattr(note, name).strip()
    ]
    mismatched = []
    records = list(note.records.all())
    for n, record in enumerate(records):
        missing += [
            f"records[{n}].{path}" for path in missing_for_signing(record.kind, record.data)
        ]
        if record.kind == RecordKind.DRY_NEEDLING and not needles_reconciled(record.data):
            mismatched.append(record.kind)
    if needs_assessment(note):
        assessment = InitialAssessment.objects.filter(note=note).first()
        if assessment is None:
            missing.append("initial_assessment")
        else:
            missing += [
                f"initial_assessment.{p}" for p in assessment_rules.missing_for_signing(assessment)
            ]
    return missing, mismatched


@transaction.atomic
def sign_note(*, note: SessionNote, signed_by, now: datetime | None = None) -> SessionNote:
    """Sign and lock the note (signer, time). Only its author signs (NotTheAuthor, 403).

    Refused while incomplete (NoteIncomplete, 400, `details.missing` lists the paths), while a
    needling record's needles in and out differ without a 'needle unaccounted for' event that
    records the search and action (NeedleCountMismatch, 400), and when needling was not
    cleared on the session's date (NeedlingNotCleared, 409). NoteSigned (409) if already signed.
    """
    now = now or timezone.now()
    note = _locked_note(note)
    _require_author(note.booking, signed_by)
    if note.is_signed:
        raise errors.NoteSigned("This note is already signed.")
    missing, mismatched = _signing_problems(note)
    if missing:
        raise errors.NoteIncomplete(
            "Complete the note before signing: " + ", ".join(missing) + ".",
            details={"missing": missing},
        )
    if mismatched:
        raise errors.NeedleCountMismatch()
    kinds = [RecordIn(r.kind, r.data) for r in note.records.all()]
    _require_needling_cleared(note.booking, kinds)
    note.status = NoteStatus.SIGNED
    note.signed_by = signed_by
    note.signed_at = now
    note.version = F("version") + 1
    note.save(update_fields=["status", "signed_by", "signed_at", "version", "updated_at"])
    note.refresh_from_db()
    return note


def _value_of(note: SessionNote, name: str, amended: dict):
    if name in amended:
        return amended[name]
    if name == "records":
        return [{"modality": r.kind, **r.data} for r in note.records.all()]
    return getattr(note, name)


@transaction.atomic
def amend_note(
    *, note: SessionNote, author, reason: str, changes: dict, now: datetime | None = None
) -> Amendment:
    """Add a correction to a signed note. The note's own fields keep what was signed; the
    amendment stores each changed field's old and new value, so both stay readable.

    Only the note's author amends (NotTheAuthor, 403); NoteNotSigned (409) for a draft. The new
    values are checked like a draft's (shapes, qualification, needling clearance) and the result
    must still be complete and reconciled. A new serious adverse event raises a safety alert.
    """
    now = now or timezone.now()
    note = _locked_note(note)
    _require_author(note.booking, author)
    if not note.is_signed:
        raise errors.NoteNotSigned()
    if not reason.strip():
        raise serializers.ValidationError({"reason": ["Say why the note is amended."]})
    unknown = sorted(set(changes) - set(CONTENT_FIELDS))
    if unknown or not changes:
        raise serializers.ValidationError(
            {"changes": [f"Change one or more of: {', '.join(CONTENT_FIELDS)}."]}
        )
    fields, records = _clean_content(changes)
    # Everything amended so far, so old values are the latest ones, not the signed originals.
    amended: dict = {}
    for earlier in note.amendments.all():
        amended.update({change["field"]: change["new"] for change in earlier.changes})
    new_values = dict(fields)
    if records is not None:
        _require_qualified(note.booking, records)
        _require_needling_cleared(note.booking, records)
        for record in records:
            missing = missing_for_signing(record.kind, record.data)
            if missing:
                raise errors.NoteIncomplete(
                    f"The amended {record.kind} record is incomplete: {', '.join(missing)}.",
                    details={"missing": missing},
                )
            if record.kind == RecordKind.DRY_NEEDLING and not needles_reconciled(record.data):
                raise errors.NeedleCountMismatch()
        new_values["records"] = [{"modality": r.kind, **r.data} for r in records]
    for name in SOAP_FIELDS:
        if name in new_values and not str(new_values[name]).strip():
            raise serializers.ValidationError({f"changes.{name}": ["A signed note keeps this."]})
    change_list = [
        {"field": name, "old": _value_of(note, name, amended), "new": value}
        for name, value in new_values.items()
        if _value_of(note, name, amended) != value
    ]
    if not change_list:
        raise serializers.ValidationError({"changes": ["Nothing differs from the note as it is."]})
    amendment = Amendment.objects.create(
        note=note, reason=reason.strip(), changes=change_list, author=author, created_at=now
    )
    if records is not None:
        before = _value_of(note, "records", amended)
        known = {_event_key(r["modality"], e) for r in before for e in r.get("adverse_events", [])}
        added = [
            event
            for record in records
            for event in _event_rows(note, None, record.kind, record.data)
            if _event_key(record.kind, event) not in known
        ]
        for event in added:
            event.save()
        _raise_alerts(note, added, now)
    note.status = NoteStatus.AMENDED
    note.version = F("version") + 1
    note.save(update_fields=["status", "version", "updated_at"])
    return amendment


@transaction.atomic
def clear_red_flags(
    *, assessment: InitialAssessment, cleared_by, reasoning: str, now: datetime | None = None
) -> InitialAssessment:
    """A clinician who treats the patient clears the assessment's positive red flags (after the
    referral was made, or judging the concern low), so the plan may be activated.

    NothingToClear (409) without a positive flag waiting; NoteIncomplete (400) until the
    onward referral is recorded; NotInCareTeam (403) for anyone outside the care team.
    """
    assessment = (
        InitialAssessment.objects.select_for_update()
        .select_related("note__patient")
        .get(pk=assessment.pk)
    )
    if getattr(cleared_by, "therapist", None) is None or not treats(
        cleared_by, assessment.note.patient
    ):
        raise NotInCareTeam("Only a clinician who treats the patient clears red flags.")
    if not assessment.awaits_clearance:
        raise errors.NothingToClear()
    if not (assessment.referral_urgency and assessment.referral_destination):
        raise errors.NoteIncomplete(
            "Record the onward referral (urgency and where to) before clearing the red flags.",
            details={"missing": ["referral"]},
        )
    if not reasoning.strip():
        raise serializers.ValidationError({"reasoning": ["Say why it is safe to go ahead."]})
    assessment.red_flags_cleared_by = cleared_by
    assessment.red_flags_cleared_at = now or timezone.now()
    assessment.clearance_reasoning = reasoning.strip()
    assessment.save(
        update_fields=["red_flags_cleared_by", "red_flags_cleared_at", "clearance_reasoning"]
    )
    return assessment


@transaction.atomic
def review_safety_alert(
    *, alert: SafetyAlert, reviewed_by, note: str, now: datetime | None = None
) -> SafetyAlert:
    """Close a safety alert with what was done about it. AlertAlreadyReviewed (409) twice."""
    alert = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
    if not alert.is_open:
        raise errors.AlertAlreadyReviewed()
    if not note.strip():
        raise serializers.ValidationError({"note": ["Say what was done about it."]})
    alert.reviewed_by = reviewed_by
    alert.reviewed_at = now or timezone.now()
    alert.review_note = note.strip()
    alert.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    return alert


def check_red_flags_cleared(*, plan: TreatmentPlan) -> None:
    """Plan activation's check: no positive red flag of the patient waits for clearance."""
    waiting = InitialAssessment.objects.filter(
        note__patient_id=plan.patient_id,
        red_flag_positive=True,
        red_flags_cleared_at__isnull=True,
    ).exists()
    if waiting:
        raise errors.RedFlagNotCleared()
