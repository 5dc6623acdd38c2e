"""Reception's side of a booking (its administrative notes and who made it) is for the clinic's
staff: a patient reading, booking, moving or cancelling through the API never sees it."""

import pytest

from booking.models import Booking

pytestmark = pytest.mark.usefixtures("frozen_now")

BOOKINGS = "/api/v1/bookings/"
DESK_FIELDS = {"notes", "created_by"}


@pytest.fixture
def noted_booking(api, receptionist, massage, patient):
    response = api(receptionist).post(
        BOOKINGS,
        {
            "treatment": massage.pk,
            "start": "2027-03-02T10:00:00Z",
            "patient": patient.pk,
            "notes": "Pays by invoice; difficult about parking",
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["notes"] == "Pays by invoice; difficult about parking"
    assert response.json()["created_by"] == receptionist.pk
    return Booking.objects.get(pk=response.json()["id"])


def test_the_patient_reads_their_booking_without_the_desks_notes(api, patient, noted_booking):
    listed = api(patient.user).get(BOOKINGS).json()["results"]
    detail = api(patient.user).get(f"{BOOKINGS}{noted_booking.pk}/").json()

    assert [b["id"] for b in listed] == [noted_booking.pk]
    assert not DESK_FIELDS & set(listed[0])
    assert not DESK_FIELDS & set(detail)
    assert "parking" not in str(listed) + str(detail)


def test_the_patients_own_changes_answer_without_the_desks_notes(api, patient, noted_booking):
    moved = api(patient.user).post(
        f"{BOOKINGS}{noted_booking.pk}/reschedule/", {"start": "2027-03-03T10:00:00Z"}
    )
    cancelled = api(patient.user).post(f"{BOOKINGS}{noted_booking.pk}/cancel/", {})

    assert moved.status_code == 200, moved.json()
    assert cancelled.status_code == 200, cancelled.json()
    assert not DESK_FIELDS & set(moved.json())
    assert not DESK_FIELDS & set(cancelled.json())


def test_a_patients_own_online_booking_answers_without_them(api, patient, massage):
    response = api(patient.user).post(
        BOOKINGS, {"treatment": massage.pk, "start": "2027-03-02T10:00:00Z"}
    )

    assert response.status_code == 201, response.json()
    assert not DESK_FIELDS & set(response.json())


def test_the_clinics_staff_and_the_therapist_see_them(
    api, receptionist, clinic_admin, therapist, noted_booking
):
    for user in (receptionist, clinic_admin, therapist.user):
        detail = api(user).get(f"{BOOKINGS}{noted_booking.pk}/").json()
        assert detail["notes"] == "Pays by invoice; difficult about parking", user
        assert detail["created_by"] is not None
