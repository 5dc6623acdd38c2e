"""`/api/v1/waitlist/`: who may join, see and act on waiting-list entries."""

import pytest

from booking.events import freed_time_of
from booking.models import Booking, BookingStatus
from booking.services import cancel_booking
from tests.factories import PatientFactory, TreatmentFactory
from waitlist.models import WaitlistEntry, WaitlistStatus
from waitlist.services import add_to_waitlist, offer_freed_time

URL = "/api/v1/waitlist/"


@pytest.fixture
def waiting(massage, patient, frozen_now):
    return add_to_waitlist(
        patient=patient, treatment=massage, earliest=frozen_now.date(), notes="Prefers Tess"
    )


def test_reception_adds_a_patient_of_their_clinic(api, receptionist, massage, patient, frozen_now):
    response = api(receptionist).post(
        URL,
        {"treatment": massage.pk, "patient": patient.pk, "part_of_day": "morning", "notes": "Call"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "waiting"
    assert body["earliest"] == "2027-03-01"  # the clinic's today by default
    assert body["notes"] == "Call"
    assert WaitlistEntry.objects.get().created_by == receptionist


def test_reception_must_say_who_is_waiting(api, receptionist, massage, frozen_now):
    response = api(receptionist).post(URL, {"treatment": massage.pk}, format="json")
    assert response.status_code == 400
    assert "patient" in response.json()["error"]["fields"]


def test_another_clinics_patient_is_answered_like_an_unknown_one(
    api, receptionist, massage, other_clinic, frozen_now
):
    stranger = PatientFactory(clinic=other_clinic)
    unknown = api(receptionist).post(
        URL, {"treatment": massage.pk, "patient": 999999}, format="json"
    )
    hidden = api(receptionist).post(
        URL, {"treatment": massage.pk, "patient": stranger.pk}, format="json"
    )
    assert unknown.status_code == hidden.status_code == 400
    assert unknown.json()["error"]["fields"]["patient"][0].startswith("No patient with id")
    assert not WaitlistEntry.objects.exists()


def test_a_patient_joins_for_themself_without_desk_notes(
    api, patient_user, patient, massage, frozen_now
):
    response = api(patient_user).post(
        URL, {"treatment": massage.pk, "notes": "let me in first"}, format="json"
    )
    assert response.status_code == 201, response.json()
    entry = WaitlistEntry.objects.get()
    assert (entry.patient, entry.notes) == (patient, "")
    assert "notes" not in response.json()


def test_a_patient_cannot_join_for_someone_else(api, patient_user, patient, massage, frozen_now):
    other = PatientFactory(clinic=massage.clinic)
    response = api(patient_user).post(
        URL, {"treatment": massage.pk, "patient": other.pk}, format="json"
    )
    assert response.status_code == 403
    assert not WaitlistEntry.objects.exists()


def test_joining_twice_is_a_conflict(api, patient_user, waiting, massage):
    response = api(patient_user).post(URL, {"treatment": massage.pk}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_waiting"


def test_impossible_wishes_are_refused_clearly(api, receptionist, patient, massage, frozen_now):
    past = api(receptionist).post(
        URL,
        {"treatment": massage.pk, "patient": patient.pk, "earliest": "2027-02-01"},
        format="json",
    )
    backwards = api(receptionist).post(
        URL,
        {
            "treatment": massage.pk,
            "patient": patient.pk,
            "earliest": "2027-03-10",
            "latest": "2027-03-05",
        },
        format="json",
    )
    assert past.status_code == 400
    assert "earliest" in past.json()["error"]["fields"]
    assert backwards.status_code == 400
    assert backwards.json()["error"]["code"] == "waitlist_rule_broken"


def test_a_treatment_not_bookable_online_is_unknown_to_a_patient(
    api, patient_user, patient, clinic, room, therapist, frozen_now
):
    desk_only = TreatmentFactory(clinic=clinic, name="Desk only", online_bookable=False)
    response = api(patient_user).post(URL, {"treatment": desk_only.pk}, format="json")
    assert response.status_code == 400
    assert "treatment" in response.json()["error"]["fields"]


def test_lists_are_scoped(api, receptionist, other_receptionist, patient_user, therapist, waiting):
    other = add_to_waitlist(
        patient=PatientFactory(clinic=waiting.clinic),
        treatment=waiting.treatment,
        earliest=waiting.earliest,
    )

    def ids(user):
        response = api(user).get(URL)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids(receptionist) == {waiting.pk, other.pk}
    assert ids(patient_user) == {waiting.pk}
    assert ids(other_receptionist) == set()
    assert ids(therapist.user) == set()
    assert api(None).get(URL).status_code == 401


def test_filters_by_status(api, receptionist, waiting):
    assert api(receptionist).get(URL, {"status": "offered"}).json()["count"] == 0
    assert api(receptionist).get(URL, {"status": "waiting"}).json()["count"] == 1


def test_reception_books_an_offer_and_the_entry_closes(
    api, receptionist, massage, patient, book, frozen_now
):
    freed = book(massage, PatientFactory(clinic=massage.clinic), "2027-03-02T10:00")
    entry = add_to_waitlist(patient=patient, treatment=massage, earliest=frozen_now.date())
    cancel_booking(booking=freed, apply_policy=False)
    offer_freed_time(freed_time_of(freed))  # what the time-freed hook does at commit
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED

    response = api(receptionist).post(f"{URL}{entry.pk}/book/")
    assert response.status_code == 201, response.json()
    booking = Booking.objects.get(pk=response.json()["id"])
    assert (booking.patient, booking.status) == (patient, BookingStatus.CONFIRMED)
    entry.refresh_from_db()
    assert (entry.status, entry.booking) == (WaitlistStatus.BOOKED, booking)

    again = api(receptionist).post(f"{URL}{entry.pk}/book/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "waitlist_entry_closed"


def test_booking_an_entry_without_an_offer_is_a_conflict(api, receptionist, waiting):
    response = api(receptionist).post(f"{URL}{waiting.pk}/book/")
    assert response.status_code == 409
    assert WaitlistEntry.objects.get().status == WaitlistStatus.WAITING


def test_a_patient_may_leave_but_not_book(api, patient_user, waiting):
    assert api(patient_user).post(f"{URL}{waiting.pk}/book/").status_code == 403
    response = api(patient_user).post(f"{URL}{waiting.pk}/remove/")
    assert response.status_code == 200
    assert response.json()["status"] == "removed"
    assert api(patient_user).post(f"{URL}{waiting.pk}/remove/").status_code == 200


def test_another_clinic_cannot_touch_an_entry(api, other_receptionist, waiting):
    for verb in ("book", "decline", "remove"):
        assert api(other_receptionist).post(f"{URL}{waiting.pk}/{verb}/").status_code == 404
    assert WaitlistEntry.objects.get().status == WaitlistStatus.WAITING
