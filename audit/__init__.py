"""The audit trail: who changed or read which record, when and through which channel.

Two kinds of entry, listed together for a patient by `audit.selectors.patient_audit_entries`:

- **Change history** (django-simple-history). A model joins the trail with one line in its
  class body, naming how to reach its patient and which fields hold clinical content:

      from audit.history import AuditedHistory

      class OutcomeRecord(models.Model):
          ...
          history = AuditedHistory("outcome", patient="plan.patient_id", clinical=("value",))

  then `manage.py makemigrations`. Every save and delete of a row (not queryset `.update()`
  or `bulk_create`, which skip model signals: use `save()` or
  `audit.history.bulk_create_with_history`) writes one historical row carrying who
  (`history_user`), when, the channel (api, web, admin, task, system), the action (created,
  changed, status_changed, deleted) and the changed fields with old and new values.
- **Read log** (`RecordRead`). Every staff read of clinical content calls
  `audit.services.record_read(actor, patient, object_type, object_id, channel)`.

Entries are append-only: the admin shows them read-only, no API writes them, and the models
refuse updates and deletes. The one exception is the retention purge and erasure in the privacy
app, which must remove or scrub a patient's data by law and does so inside
`audit.models.lawful_removal()`.

This app sits below booking and plans (they import it); it never imports them.
"""
