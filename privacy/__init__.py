"""Patients' data rights and the clinic's view of the audit trail.

- `GET /api/v1/audit/?patient=` lists one patient's trail for the clinic's admins.
- `GET /api/v1/patients/{id}/export/` gives everything held about a patient in one document
  (also downloadable by the patient from their appointments page).
- `POST /api/v1/patients/{id}/erase/` anonymises the patient at once and schedules their clinical
  records for deletion on the retention date (privacy.retention), which the daily task
  `privacy.tasks.purge_expired_records` carries out.

This app sits above booking, plans and notifications: it gathers what each holds.
"""
