from datetime import UTC, datetime

import pytest

from booking.models import Booking


@pytest.mark.django_db
def test_patient_books_a_free_slot_and_sees_it(api, patient, massage, frozen_now):
    client = api(patient.user)
    response = client.post(
        "/api/v1/bookings/", {"treatment": massage.pk, "start": "2027-03-02T10:00:00+00:00"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "confirmed"
    assert body["start"] == "2027-03-02T10:00:00+00:00"
    assert Booking.objects.get().start == datetime(2027, 3, 2, 10, tzinfo=UTC)
