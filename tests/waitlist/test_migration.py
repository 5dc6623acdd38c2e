"""Moving the waiting list out of the web app kept every entry (state-only migrations)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import PatientFactory
from waitlist.models import WaitlistEntry, WaitlistStatus

BEFORE = [("web", "0001_initial"), ("waitlist", None)]


@pytest.mark.django_db(transaction=True)
def test_entries_written_before_the_move_are_there_after_it(clinic, massage):
    patient = PatientFactory(clinic=clinic)
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    try:
        old_model = executor.loader.project_state([BEFORE[0]]).apps.get_model(
            "web", "WaitlistEntry"
        )
        old_model.objects.create(
            clinic_id=clinic.pk,
            patient_id=patient.pk,
            treatment_id=massage.pk,
            earliest="2027-03-01",
            status="waiting",
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)

    entry = WaitlistEntry.objects.get()
    assert (entry.patient, entry.treatment, entry.status) == (
        patient,
        massage,
        WaitlistStatus.WAITING,
    )
