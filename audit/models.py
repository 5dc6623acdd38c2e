"""Audit entries: the historical rows' common fields and the read log. Both are append-only."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditChannel(models.TextChoices):
    API = "api", "API"
    WEB = "web", "Web pages"
    ADMIN = "admin", "Django admin"
    TASK = "task", "Background task"
    SYSTEM = "system", "System (command or shell)"


class AuditAction(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    STATUS_CHANGED = "status_changed", "Status changed"
    DELETED = "deleted", "Deleted"
    READ = "read", "Read"


class RightsAction(models.TextChoices):
    """What a DataRightsEvent records. Kept apart from AuditAction, whose choices every history
    table copies into its migrations."""

    EXPORTED = "exported", "Exported"
    ERASED = "erased", "Erased"
    PURGED = "purged", "Purged after retention"


class EntryImmutable(Exception):
    """An audit entry was about to be edited or deleted outside a lawful removal."""


_lawful_removal: ContextVar[bool] = ContextVar("audit_lawful_removal", default=False)


@contextmanager
def lawful_removal():
    """Allow audit entries to be scrubbed or deleted: erasure and the retention purge only.

    UK GDPR requires identity data to go on erasure and clinical records to go after their
    retention date; their history goes with them. Nothing else may change an entry.
    """
    token = _lawful_removal.set(True)
    try:
        yield
    finally:
        _lawful_removal.reset(token)


def _refuse(what: str) -> None:
    if not _lawful_removal.get():
        raise EntryImmutable(f"Audit entries cannot be {what}.")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        _refuse("edited")
        return super().update(**kwargs)

    def delete(self):
        _refuse("deleted")
        return super().delete()


class AppendOnly(models.Model):
    """Rows that may be written once. Saves of existing rows and deletes raise EntryImmutable."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            _refuse("edited")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse("deleted")
        return super().delete(*args, **kwargs)


class HistoryEntry(AppendOnly):
    """What every historical row adds to django-simple-history's snapshot of the record.

    `patient_id` is copied from the record so one indexed query finds a patient's entries in
    every history table, also after the record itself is gone. `changes` holds the changed
    fields as {"field", "old", "new"} items, computed once when the row is written, so listing
    the trail never compares snapshots.
    """

    audit_channel = models.CharField(max_length=8, choices=AuditChannel.choices)
    audit_action = models.CharField(max_length=16, choices=AuditAction.choices)
    # The patient's trail (audit.selectors.patient_audit_entries) filters on this.
    audit_patient_id = models.BigIntegerField(null=True, db_index=True)
    audit_changes = models.JSONField(default=list)

    class Meta:
        abstract = True


class RecordRead(AppendOnly):
    """One staff read of a patient's clinical record (a screening, plan, outcome, note...).

    Plain ids for the patient and clinic: this app sits below booking, and the entry must
    outlive anything it names.
    """

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(
        max_length=300, help_text="The reader's name when they read, kept if the user goes."
    )
    patient_id = models.BigIntegerField()
    clinic_id = models.BigIntegerField(null=True, help_text="The patient's home clinic.")
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=8, choices=AuditChannel.choices)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient_id", "at"])]

    def __str__(self) -> str:
        return f"{self.actor_name} read {self.object_type} {self.object_id} at {self.at:%Y-%m-%d %H:%M}"


class DataRightsEvent(AppendOnly):
    """An export of a patient's data, their erasure, or the purge of their records after the
    retention date. Like RecordRead it keeps plain ids, and it outlives the patient's records:
    after the purge this is what is left to show that the record existed and was destroyed.

    `actor_name` is the staff member's name, or "the patient" for a subject-access download:
    the trail keeps no identity of a patient whose data was erased.
    """

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=300)
    patient_id = models.BigIntegerField()
    clinic_id = models.BigIntegerField(null=True, help_text="The patient's home clinic.")
    action = models.CharField(max_length=16, choices=RightsAction.choices)
    object_type = models.CharField(
        max_length=40, help_text="subject_access_export, record_export, erasure, retention_purge"
    )
    channel = models.CharField(max_length=8, choices=AuditChannel.choices)
    details = models.JSONField(
        default=list, help_text='What was done, as [{"field", "old", "new"}] like a change.'
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient_id", "at"])]

    def __str__(self) -> str:
        return f"{self.actor_name}: {self.object_type} of patient {self.patient_id} ({self.at:%Y-%m-%d})"
