"""Writing to the audit trail outside model saves: staff reads of clinical records."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .context import current_channel
from .models import RecordRead


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
