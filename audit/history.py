"""Change history for a model in one line: `history = AuditedHistory("booking", patient=...)`.

A thin layer over django-simple-history's HistoricalRecords: every historical row also records
the channel, the action, the patient and the changed fields (see audit.models.HistoryEntry),
and historical rows cannot be edited or deleted.
"""

from __future__ import annotations

import json
import operator
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from simple_history.manager import HistoricalQuerySet
from simple_history.models import HistoricalRecords
from simple_history.utils import get_change_reason_from_object

from .context import current_channel
from .models import AuditAction, HistoryEntry, _refuse

# Bookkeeping columns that change on every save and say nothing a reader of the trail needs.
NOISE_FIELDS = ("created_at", "updated_at")


@dataclass(frozen=True)
class AuditedModel:
    """How the trail treats one model's history: its name in entries, its patient, its secrets."""

    object_type: str
    patient_of: operator.attrgetter
    clinical_fields: frozenset[str]


# history model -> AuditedModel; filled as models are prepared.
REGISTRY: dict[type[models.Model], AuditedModel] = {}


class AppendOnlyHistoricalQuerySet(HistoricalQuerySet):
    """`Model.history` querysets: simple-history's reads, with updates and deletes refused."""

    def update(self, **kwargs):
        _refuse("edited")
        return super().update(**kwargs)

    def delete(self):
        _refuse("deleted")
        return super().delete()


class AuditedHistory(HistoricalRecords):
    """HistoricalRecords that feed the audit trail.

    `object_type` names the record in audit entries ("booking", "screening"); `patient` is the
    attribute path from a row to its patient's id ("patient_id", "plan.patient_id", "pk");
    `clinical` lists fields with clinical content, whose values the audit listing does not show
    to clinic admins. `exclude` keeps fields out of the history entirely (counters updated with
    F() expressions, for instance).
    """

    def __init__(
        self,
        object_type: str,
        *,
        patient: str,
        clinical: tuple[str, ...] = (),
        exclude: tuple[str, ...] = (),
    ):
        super().__init__(
            bases=[HistoryEntry],
            excluded_fields=list(exclude),
            historical_queryset=AppendOnlyHistoricalQuerySet,
        )
        self.audited = AuditedModel(object_type, operator.attrgetter(patient), frozenset(clinical))

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            REGISTRY[getattr(sender, self.manager_name).model] = self.audited


def _plain(value):
    """A JSON-safe copy of a field value (dates, decimals and UUIDs become strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _tracked(history_instance) -> list[str]:
    return [
        field.attname
        for field in type(history_instance).tracked_fields
        if field.attname not in NOISE_FIELDS
    ]


def remember_saved_state(instance) -> None:
    """Note `instance`'s values as read from the database (under a lock, by whoever changes it
    next), so the history entry of its next save compares with them instead of reading the
    previous historical row: one query fewer on the booking write path (docs/decisions/0006)."""
    instance._audit_saved_state = {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


def describe(history_instance, instance) -> None:
    """Fill in the audit columns of a historical row about to be written for `instance`.

    For a change the values noted by `remember_saved_state` are compared with, else the previous
    historical row of the same record is read once (by its indexed id), so `audit_changes` lists
    exactly the fields this save changed.
    """
    history_model = type(history_instance)
    audited = REGISTRY[history_model]
    fields = _tracked(history_instance)
    history_instance.audit_channel = current_channel()
    try:
        history_instance.audit_patient_id = audited.patient_of(instance)
    except AttributeError:  # a row not yet tied to a patient
        history_instance.audit_patient_id = None

    kind = history_instance.history_type
    if kind == "-":
        history_instance.audit_action = AuditAction.DELETED
        history_instance.audit_changes = []
        return
    new = {name: _plain(getattr(history_instance, name)) for name in fields}
    old: dict = {}
    saved = instance.__dict__.pop("_audit_saved_state", None)
    if kind == "~" and saved is not None:
        old = {name: _plain(saved[name]) for name in fields if name in saved}
    elif kind == "~":
        pk_name = instance._meta.pk.attname
        previous = (
            history_model.objects.filter(**{pk_name: instance.pk})
            .order_by("-history_date", "-history_id")
            .values(*fields)
            .first()
        )
        old = {name: _plain(value) for name, value in (previous or {}).items()}
    changes = [
        {"field": name, "old": old.get(name), "new": value}
        for name, value in new.items()
        if value != old.get(name) and not (kind == "+" and value in (None, "", [], {}))
    ]
    history_instance.audit_changes = changes
    if kind == "+":
        history_instance.audit_action = AuditAction.CREATED
    elif any(change["field"] == "status" for change in changes):
        history_instance.audit_action = AuditAction.STATUS_CHANGED
    else:
        history_instance.audit_action = AuditAction.CHANGED


def _history_row(history_model, obj, *, history_date, user=None):
    """The "created" historical row for `obj`, built as simple-history's save signal builds
    one (HistoricalRecords.create_historical_record: the tracked values, the acting user, the
    change reason) with the audit columns filled in; not saved."""
    row = history_model(
        history_type="+",
        history_date=history_date,
        history_user=user or history_model.get_default_history_user(obj),
        history_change_reason=get_change_reason_from_object(obj),
        **{field.attname: getattr(obj, field.attname) for field in history_model.tracked_fields},
    )
    describe(row, obj)
    return row


def new_record_rows(instance: models.Model) -> list[models.Model]:
    """`instance` ready to insert, and its "created" history row: neither is saved.

    For a write path that inserts a record and its history in one statement (the booking:
    docs/decisions/0006). The primary key must be set; defaults and auto_now dates are applied
    as an insert applies them, then copied into the history row, so insert both as they are.
    """
    for field in instance._meta.concrete_fields:
        setattr(instance, field.attname, field.pre_save(instance, add=True))
    history_model = getattr(type(instance), type(instance)._meta.simple_history_manager_attribute)
    return [instance, _history_row(history_model.model, instance, history_date=timezone.now())]


def bulk_create_with_history(model: type[models.Model], objs: list, *, user=None) -> list:
    """`bulk_create` that also writes each new row's history (bulk_create skips model signals).

    Two INSERTs whatever the number of rows; the rows get their primary keys back on both
    PostgreSQL and SQLite (RETURNING).
    """
    created = model.objects.bulk_create(objs)
    manager = model._meta.simple_history_manager_attribute
    history_model = getattr(model, manager).model
    now = timezone.now()
    rows = [_history_row(history_model, obj, history_date=now, user=user) for obj in created]
    history_model.objects.bulk_create(rows)
    return created
