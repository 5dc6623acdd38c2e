"""Reading the trail: one patient's change history and record reads as one list, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import CharField, F, JSONField, QuerySet, Value

from .history import REGISTRY
from .models import AuditAction, DataRightsEvent, RecordRead, RightsAction

# The columns every part of the merged list selects, in this order (UNION matches by position).
ENTRY_COLUMNS = (
    "entry_at",
    "entry_actor_id",
    "entry_action",
    "entry_object_type",
    "entry_object_id",
    "entry_changes",
    "entry_channel",
    "entry_source",
    "entry_id",
)


# Actions of data-rights events (exports, erasure, purge), listed from DataRightsEvent.
RIGHTS_ACTIONS = tuple(RightsAction.values)


@dataclass(frozen=True)
class EntryFilters:
    actor_id: int | None = None
    action: str | None = None
    since: datetime | None = None  # inclusive
    before: datetime | None = None  # exclusive


def _narrowed(rows: QuerySet, filters: EntryFilters, *, actor: str, at: str) -> QuerySet:
    """`rows` by the filters' actor and time window (`actor` and `at` name the columns)."""
    if filters.actor_id is not None:
        rows = rows.filter(**{actor: filters.actor_id})
    if filters.since:
        rows = rows.filter(**{f"{at}__gte": filters.since})
    if filters.before:
        rows = rows.filter(**{f"{at}__lt": filters.before})
    return rows


def _history_part(history_model, patient_id: int, filters: EntryFilters) -> QuerySet | None:
    if filters.action in (AuditAction.READ, *RIGHTS_ACTIONS):
        return None
    rows = _narrowed(
        history_model.objects.filter(audit_patient_id=patient_id),
        filters,
        actor="history_user_id",
        at="history_date",
    )
    if filters.action:
        rows = rows.filter(audit_action=filters.action)
    audited = REGISTRY[history_model]
    return (
        rows.annotate(
            entry_at=F("history_date"),
            entry_actor_id=F("history_user_id"),
            entry_action=F("audit_action"),
            entry_object_type=Value(audited.object_type, output_field=CharField()),
            entry_object_id=F(history_model.instance_type._meta.pk.attname),
            entry_changes=F("audit_changes"),
            entry_channel=F("audit_channel"),
            entry_source=Value(history_model._meta.label_lower, output_field=CharField()),
            entry_id=F("history_id"),
        )
        .order_by()
        .values(*ENTRY_COLUMNS)
    )


def _read_part(patient_id: int, filters: EntryFilters) -> QuerySet | None:
    if filters.action and filters.action != AuditAction.READ:
        return None
    rows = _narrowed(
        RecordRead.objects.filter(patient_id=patient_id), filters, actor="actor_id", at="at"
    )
    return (
        rows.annotate(
            entry_at=F("at"),
            entry_actor_id=F("actor_id"),
            entry_action=Value(AuditAction.READ.value, output_field=CharField()),
            entry_object_type=F("object_type"),
            entry_object_id=F("object_id"),
            entry_changes=Value(None, output_field=JSONField()),
            entry_channel=F("channel"),
            entry_source=Value(RecordRead._meta.label_lower, output_field=CharField()),
            entry_id=F("id"),
        )
        .order_by()
        .values(*ENTRY_COLUMNS)
    )


def _rights_part(patient_id: int, filters: EntryFilters) -> QuerySet | None:
    if filters.action and filters.action not in RIGHTS_ACTIONS:
        return None
    rows = _narrowed(
        DataRightsEvent.objects.filter(patient_id=patient_id), filters, actor="actor_id", at="at"
    )
    if filters.action:
        rows = rows.filter(action=filters.action)
    return (
        rows.annotate(
            entry_at=F("at"),
            entry_actor_id=F("actor_id"),
            entry_action=F("action"),
            entry_object_type=F("object_type"),
            entry_object_id=F("patient_id"),
            entry_changes=F("details"),
            entry_channel=F("channel"),
            entry_source=Value(DataRightsEvent._meta.label_lower, output_field=CharField()),
            entry_id=F("id"),
        )
        .order_by()
        .values(*ENTRY_COLUMNS)
    )


def patient_audit_entries(patient_id: int, filters: EntryFilters | None = None) -> QuerySet:
    """Every audit entry about one patient, newest first, as dicts of ENTRY_COLUMNS.

    One SQL statement (a UNION ALL of each history table, the read log and the data-rights
    events, each part using its patient index), so counting and slicing a page cost one query each however many kinds of
    record the trail covers.
    """
    filters = filters or EntryFilters()
    parts = [_history_part(model, patient_id, filters) for model in REGISTRY]
    parts.append(_read_part(patient_id, filters))
    parts.append(_rights_part(patient_id, filters))
    first, *rest = [part for part in parts if part is not None]
    merged = first.union(*rest, all=True) if rest else first
    return merged.order_by("-entry_at", "entry_source", "-entry_id")


def clinical_fields_of(object_type: str) -> frozenset[str]:
    """Fields whose values the trail shows only to the patient themself."""
    for audited in REGISTRY.values():
        if audited.object_type == object_type:
            return audited.clinical_fields
    return frozenset()


def record_reads_of(patient_id: int) -> QuerySet[RecordRead]:
    """Who has read this patient's clinical record, newest first (shown to the patient)."""
    return RecordRead.objects.filter(patient_id=patient_id).order_by("-at", "-id")
