"""Writing a note: the treating therapist starts it (one per booking) and the draft grows
(the page autosaves what changed, with the version it last saw)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from booking.models import Booking

from .. import errors
from ..models import ModalityRecord, SessionNote
from .assessment import save_assessment
from .rules import (
    RecordIn,
    _clean_content,
    _locked_note,
    _require_author,
    _require_needling_cleared,
    _require_qualified,
    _require_session_held,
    plan_for,
)
from .safety import _sync_events


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
                treatment_plan=plan_for(booking),
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
        save_assessment(note, initial_assessment)
    return note


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
        save_assessment(note, initial_assessment)
    note.refresh_from_db()
    return note
