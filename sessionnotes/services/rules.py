"""Checks and input cleaning shared by the note's writes: who may write, whether the session was
held, the records' shapes, the therapist's qualifications and the patient's needling clearance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rest_framework import serializers

from booking.models import Booking, BookingStatus
from plans.models import OPEN_STATUSES, PlanSession, TreatmentPlan
from plans.selectors import needling_clearance

from .. import errors
from ..body_chart import clean_body_chart
from ..modalities import clean_record
from ..models import SOAP_FIELDS, SessionNote
from ..vocabulary import QUALIFICATION_FOR, RecordKind

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


def plan_for(booking: Booking) -> TreatmentPlan | None:
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
        try:
            fields["body_chart"] = clean_body_chart(fields["body_chart"] or [])
        except serializers.ValidationError as invalid:
            # Keyed like every other field, so the page puts it on the chart.
            raise serializers.ValidationError({"body_chart": invalid.detail}) from invalid
    records = clean_records(changes["records"]) if "records" in changes else None
    return fields, records


# --- records and their adverse events ------------------------------------------------------------


def _locked_note(note: SessionNote) -> SessionNote:
    return (
        SessionNote.objects.select_for_update()
        .select_related(
            "booking__clinic", "booking__patient", "booking__therapist", "booking__treatment"
        )
        .get(pk=note.pk)
    )
