"""Erasure and the purge under concurrency (real connections, committed data): requests racing
to erase one patient all get the same answer and erase once; racing purges delete once."""

from datetime import date

import pytest

from audit.models import DataRightsEvent
from booking.models import Booking, BookingStatus
from privacy.models import Erasure
from privacy.services import purge_expired_records
from tests.booking.test_concurrency import race
from tests.conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.usefixtures("frozen_now")
def test_four_erasures_of_one_patient_erase_once_and_answer_alike(
    patient, massage, clinic_admin, book
):
    upcoming = book(massage, patient, "2027-03-10T10:00")
    clients = [client_for(clinic_admin) for _ in range(4)]
    url = f"/api/v1/patients/{patient.pk}/erase/"

    responses = race([lambda c=c: c.post(url) for c in clients])

    assert [r.status_code for r in responses] == [200] * 4
    bodies = [r.json() for r in responses]
    assert all(body == bodies[0] for body in bodies)
    assert bodies[0]["erased_now"]["cancelled_bookings"] == [upcoming.pk]
    assert Erasure.objects.count() == 1
    assert DataRightsEvent.objects.filter(action="erased").count() == 1
    assert Booking.objects.get(pk=upcoming.pk).status == BookingStatus.CANCELLED
    assert upcoming.history.filter(audit_action="status_changed").count() == 1


@pytest.mark.usefixtures("frozen_now")
def test_two_purges_at_once_delete_once(patient, massage, clinic_admin):
    client_for(clinic_admin).post(f"/api/v1/patients/{patient.pk}/erase/")

    results = race([lambda: purge_expired_records(today=date(2027, 3, 2)) for _ in range(2)])

    assert sorted(results, key=len) == [[], [patient.pk]]
    assert DataRightsEvent.objects.filter(action="purged").count() == 1
