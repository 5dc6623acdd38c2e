"""Writing to the audit trail outside model saves: staff reads of clinical records, data-rights
events, and the lawful removal of a patient's entries (erasure and the retention purge)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .context import current_channel
from .history import REGISTRY
from .models import DataRightsEvent, RecordRead, lawful_removal


def _name_of(user) -> str:
    return (user.get_full_name() or user.get_username()).strip()


def record_read(
    actor: Any,
    patient: Any,
    object_type: str,
    object_id: int | None,
    channel: str | None = None,
) -> RecordRead:
    """Log that `actor` (a staff user) read `patient`'s clinical record `object_type` #id.

    Called by the one gate for clinical reads (plans.access), after it has allowed the read.
    `channel` defaults to the request's or task's channel. Always writes a row: the trail is
    complete rather than deduplicated, and a row costs one indexed INSERT.
    """
    return record_reads(actor, [(patient, object_type, object_id)], channel)[0]


def record_reads(
    actor: Any,
    reads: Iterable[tuple[Any, str, int | None]],
    channel: str | None = None,
) -> list[RecordRead]:
    """Log several reads by one actor at once, (patient, object_type, object_id) each, in one
    INSERT: a page of twenty plans costs one statement, not twenty."""
    name = _name_of(actor)
    channel = channel or current_channel()
    return RecordRead.objects.bulk_create(
        RecordRead(
            actor=actor,
            actor_name=name,
            patient_id=patient.pk,
            clinic_id=getattr(patient, "clinic_id", None),
            object_type=object_type,
            object_id=object_id,
            channel=channel,
        )
        for patient, object_type, object_id in reads
    )


def record_rights_event(
    *,
    actor: Any,
    patient_id: int,
    clinic_id: int | None,
    action: str,
    object_type: str,
    details: list[dict] | None = None,
    actor_name: str | None = None,
    channel: str | None = None,
) -> DataRightsEvent:
    """Log an export, erasure or purge of a patient's data (`clinic_id`: their home clinic).
    `actor` is None for the system (the purge task); `actor_name` overrides
    the actor's name ("the patient" for a subject-access download). `details` are
    {"field", "old", "new"} items, shown like the changes of a change entry."""
    if actor_name is None:
        actor_name = _name_of(actor) if actor is not None else "physiodesk (retention)"
    return DataRightsEvent.objects.create(
        actor=actor,
        actor_name=actor_name,
        patient_id=patient_id,
        clinic_id=clinic_id,
        action=action,
        object_type=object_type,
        channel=channel or current_channel(),
        details=details or [],
    )


def _history_models_of(instance_model) -> list:
    return [model for model in REGISTRY if model.instance_type is instance_model]


def scrub_history(
    *,
    model: type,
    patient_id: int,
    replacements: dict[str, Any],
    where: dict[str, Any] | None = None,
) -> int:
    """Overwrite fields in every historical snapshot of `model` about one patient, and blank
    those fields' old and new values in each entry's changes (the trail still says they changed).

    For erasure: the patient's identity must not outlive it in the trail. `replacements` maps a
    field to the value every snapshot gets (the anonymised value); `where` narrows the rows
    (e.g. {"by_guardian": False}). The one lawful exception to
    append-only entries (audit.models.lawful_removal). Returns the number of rows scrubbed.
    """
    fields = set(replacements)
    scrubbed = 0
    with lawful_removal():
        for history_model in _history_models_of(model):
            rows = history_model.objects.filter(audit_patient_id=patient_id, **(where or {}))
            for pk, changes in rows.values_list("pk", "audit_changes"):
                blanked = [
                    {**change, "old": None, "new": None} if change["field"] in fields else change
                    for change in changes or []
                ]
                history_model.objects.filter(pk=pk).update(audit_changes=blanked, **replacements)
                scrubbed += 1
    return scrubbed


def forget_history_of(patient_id: int) -> dict[str, int]:
    """Delete every change-history row about one patient, in every audited table: the retention
    purge, once the records themselves are gone. Record reads and data-rights events stay (they
    hold staff names and plain ids only). Returns the rows deleted per record type."""
    deleted: dict[str, int] = {}
    with lawful_removal():
        for history_model, audited in REGISTRY.items():
            count, _ = history_model.objects.filter(audit_patient_id=patient_id).delete()
            if count:
                deleted[audited.object_type] = deleted.get(audited.object_type, 0) + count
    return deleted
