"""Signing and amending: a note is signed once (complete, needles reconciled, needling
cleared) and then locked; corrections are amendments kept beside the signed original."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework import serializers

from notifications.services import notify_aftercare_waiting

from .. import assessment as assessment_rules
from .. import errors
from ..modalities import missing_for_signing, needles_reconciled
from ..models import SOAP_FIELDS, Amendment, InitialAssessment, SessionNote
from ..vocabulary import NoteStatus, RecordKind
from .assessment import needs_assessment
from .rules import (
    CONTENT_FIELDS,
    RecordIn,
    _clean_content,
    _locked_note,
    _require_author,
    _require_needling_cleared,
    _require_qualified,
)
from .safety import _event_key, _event_rows, _raise_alerts


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
    if kinds:
        # The patient is told that advice from the session is on their appointment page (the
        # email says only that); written in this transaction, sent after commit.
        notify_aftercare_waiting(booking_id=note.booking_id, now=now)
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
