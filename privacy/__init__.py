"""Patients' data rights and the clinic's view of the audit trail.

- `GET /api/v1/audit/?patient=` lists one patient's trail for the clinic's admins.
- `GET /api/v1/patients/{id}/export/` gives everything held about a patient in one document
  (privacy.export; also downloadable by the patient from their appointments page).
- `POST /api/v1/patients/{id}/erase/` anonymises the patient at once and keeps their clinical
  records until the retention date (privacy.retention, per clinic privacy.models.ClinicRetention),
  which the daily task `privacy.tasks.purge_expired_records` then deletes (privacy.services).
- `privacy.selectors.record_openings`: who at the clinic opened a patient's clinical record,
  shown to the patient on their plan and appointments pages.

Decision 0007 explains what goes when. This app sits above booking, plans, sessionnotes and
notifications: it gathers what each holds.
"""
