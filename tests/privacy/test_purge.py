"""The retention purge: an erased patient's records go the day after their retention date, once,
by the daily task or the management command; the trail keeps no trace of who they were."""

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from audit.history import REGISTRY
from audit.models import DataRightsEvent, RecordRead
from booking.models import Booking, Patient
from notifications.models import CalendarEntry, Notification
from plans.models import (
    ExerciseLog,
    NeedlingConsent,
    NeedlingScreening,
    OutcomeRecord,
    TreatmentPlan,
)
from privacy.models import Erasure
from privacy.services import purge_erased_patient
from privacy.tasks import purge_expired_records
from sessionnotes.models import Amendment, ModalityRecord, SessionNote
from tests.plans.conftest import book_past_session

pytestmark = pytest.mark.django_db

RETAIN_UNTIL = date(2035, 3, 1)  # Pat: an adult last seen 1 March 2027


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def erased(api, record, clinic_admin):
    response = api(clinic_admin).post(f"/api/v1/patients/{record.patient.pk}/erase/")
    assert response.json()["retain_until"] == RETAIN_UNTIL.isoformat()
    record.user_id = record.patient.user_id
    return record


@pytest.fixture
def someone_else(clinic, massage, therapist):
    """Another patient of Tess's, whose record must survive the purge."""
    from tests.factories import PatientFactory

    other = PatientFactory(clinic=clinic, first_name="Olive", last_name="Stays")
    book_past_session(massage, other, therapist, datetime(2027, 2, 20, 10, tzinfo=UTC))
    return other


def history_rows_of(patient_id: int) -> int:
    return sum(model.objects.filter(audit_patient_id=patient_id).count() for model in REGISTRY)


def test_nothing_goes_on_or_before_the_retention_date(erased, time_machine):
    time_machine.move_to(at(RETAIN_UNTIL, 23))

    assert purge_expired_records() == []
    assert Patient.objects.filter(pk=erased.patient.pk).exists()
    assert SessionNote.objects.filter(patient=erased.patient).count() == 1


def test_the_day_after_every_record_of_the_patient_goes(erased, someone_else, time_machine):
    patient_id = erased.patient.pk
    reads = RecordRead.objects.filter(patient_id=patient_id).count()
    time_machine.move_to(at(date(2035, 3, 2), 6))

    assert purge_expired_records() == [patient_id]

    assert not Patient.objects.filter(pk=patient_id).exists()
    assert not get_user_model().objects.filter(pk=erased.user_id).exists()
    assert not Booking.objects.filter(patient_id=patient_id).exists()
    assert not TreatmentPlan.objects.filter(patient_id=patient_id).exists()
    assert not NeedlingScreening.objects.filter(patient_id=patient_id).exists()
    assert not NeedlingConsent.objects.filter(patient_id=patient_id).exists()
    assert not OutcomeRecord.objects.filter(pk=erased.outcome.pk).exists()
    assert not ExerciseLog.objects.filter(pk=erased.log.pk).exists()
    assert not SessionNote.objects.filter(patient_id=patient_id).exists()
    assert not ModalityRecord.objects.exists()
    assert not Amendment.objects.exists()
    assert not CalendarEntry.objects.filter(patient_id=patient_id).exists()
    assert not Notification.objects.filter(entry__patient_id=patient_id).exists()
    assert history_rows_of(patient_id) == 0
    # Who read the record, and that it was erased and purged, stay (staff names and ids only).
    assert RecordRead.objects.filter(patient_id=patient_id).count() == reads
    actions = list(
        DataRightsEvent.objects.filter(patient_id=patient_id).values_list("action", flat=True)
    )
    assert actions == ["purged", "erased"]
    # Another patient of the same therapist is untouched.
    assert Booking.objects.filter(patient=someone_else).count() == 1
    assert history_rows_of(someone_else.pk) > 0


def test_what_is_left_names_no_one(erased, time_machine):
    patient_id = erased.patient.pk
    time_machine.move_to(at(date(2035, 3, 2)))

    purge_expired_records()

    left = [
        *DataRightsEvent.objects.filter(patient_id=patient_id).values(),
        *RecordRead.objects.filter(patient_id=patient_id).values(),
        *Erasure.objects.filter(patient_id=patient_id).values(),
    ]
    for text in ("Pat", "Jones", "pat@example.com", "+447700900123", "1990-06-12"):
        assert text not in str(left)


def test_the_erasure_row_records_what_the_purge_deleted(api, erased, clinic_admin, time_machine):
    time_machine.move_to(at(date(2035, 3, 2)))

    purge_expired_records()

    erasure = Erasure.objects.get(patient_id=erased.patient.pk)
    assert erasure.purged_at.date() == date(2035, 3, 2)
    assert erasure.purged["sessionnotes.sessionnote"] == 1
    assert erasure.purged["sessionnotes.modalityrecord"] == 2
    assert erasure.purged["booking.booking"] == 2
    assert erasure.purged["plans.treatmentplan"] == 1
    assert erasure.purged["history_entries"] > 0
    event = DataRightsEvent.objects.get(action="purged")
    assert event.actor is None
    assert event.object_type == "retention_purge"
    assert {"field": "sessionnotes.sessionnote", "old": 1, "new": 0} in event.details


def test_running_twice_deletes_once(erased, time_machine):
    time_machine.move_to(at(date(2035, 3, 2)))
    purge_expired_records()

    assert purge_expired_records() == []
    assert purge_erased_patient(erasure_id=Erasure.objects.get().pk) is None
    assert DataRightsEvent.objects.filter(action="purged").count() == 1


def test_the_management_command_runs_the_same_purge(erased, time_machine):
    time_machine.move_to(at(date(2035, 3, 2)))
    out = StringIO()

    call_command("purge_expired_records", stdout=out)

    assert "Purged the records of 1 erased patient(s)." in out.getvalue()
    assert not Patient.objects.filter(pk=erased.patient.pk).exists()


def test_beat_runs_the_purge_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-expired-records"]

    assert entry["task"] == "privacy.tasks.purge_expired_records"
    assert entry["schedule"] == 24 * 3600
    assert purge_expired_records.name == "privacy.tasks.purge_expired_records"
