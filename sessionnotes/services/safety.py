"""Adverse events and safety alerts: events are rows kept in step with their record while the
note is a draft; a serious one raises a SafetyAlert for the plan's lead therapist, closed by a
review."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from rest_framework import serializers

from .. import errors
from ..models import AdverseEvent, ModalityRecord, SafetyAlert, SessionNote
from ..vocabulary import Severity


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
