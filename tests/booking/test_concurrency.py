"""Races for one slot: exactly one request wins, on PostgreSQL and on SQLite.

These tests use real concurrent database connections (one per thread, committed data), so
they run with transaction=True.
"""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction

from booking.models import Booking
from tests.conftest import client_for
from tests.factories import PatientFactory, RoomFactory, TreatmentFactory

pytestmark = pytest.mark.django_db(transaction=True)

SLOT = "2027-03-02T10:00:00Z"


def race(requests: list) -> list:
    """Fire every request at once from its own thread and connection; return the responses."""
    barrier = threading.Barrier(len(requests))
    responses: list = [None] * len(requests)

    def worker(index: int, call) -> None:
        try:
            barrier.wait()
            responses[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def _poster(user, body, **headers):
    client = client_for(user)
    return lambda: client.post("/api/v1/bookings/", body, format="json", **headers)


@pytest.mark.usefixtures("frozen_now")
def test_twenty_four_requests_for_one_slot_book_it_once(clinic, massage, receptionist):
    patients = [PatientFactory(clinic=clinic) for _ in range(24)]
    calls = [
        _poster(receptionist, {"treatment": massage.pk, "start": SLOT, "patient": p.pk})
        for p in patients
    ]
    responses = race(calls)
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 1, codes
    assert set(codes) <= {201, 409}
    losers = [r.json()["error"]["code"] for r in responses if r.status_code == 409]
    assert set(losers) <= {"therapist_busy", "no_room_free", "slot_unavailable", "slot_busy"}
    assert Booking.objects.count() == 1


@pytest.mark.usefixtures("frozen_now")
def test_the_last_place_in_a_class_goes_to_one_patient(clinic, therapist, receptionist):
    RoomFactory(clinic=clinic, name="Gym", features=["gym_space"])
    group = TreatmentFactory(
        clinic=clinic,
        name="Rehab class",
        capacity=3,
        duration_minutes=60,
        buffer_after_minutes=0,
        required_room_features=["gym_space"],
    )
    for _ in range(2):
        client_for(receptionist).post(
            "/api/v1/bookings/",
            {"treatment": group.pk, "start": SLOT, "patient": PatientFactory(clinic=clinic).pk},
            format="json",
        )
    patients = [PatientFactory(clinic=clinic) for _ in range(20)]
    responses = race(
        [
            _poster(receptionist, {"treatment": group.pk, "start": SLOT, "patient": p.pk})
            for p in patients
        ]
    )
    assert sorted(r.status_code for r in responses).count(201) == 1
    assert Booking.objects.filter(treatment=group).count() == 3
    assert sorted(Booking.objects.values_list("place", flat=True)) == [1, 2, 3]


@pytest.mark.usefixtures("frozen_now")
def test_the_same_idempotency_key_sent_twice_at_once_books_once(clinic, massage, patient):
    body = {"treatment": massage.pk, "start": SLOT}
    responses = race(
        [_poster(patient.user, body, HTTP_IDEMPOTENCY_KEY="double-click") for _ in range(6)]
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert Booking.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="exclusion constraints exist on PostgreSQL only"
)
def test_postgres_refuses_overlaps_even_when_the_application_is_bypassed(
    clinic, massage, patient, therapist, room
):
    start = datetime(2027, 3, 2, 10, tzinfo=UTC)
    fields = dict(clinic=clinic, treatment=massage, therapist=therapist, room=room, patient=patient)
    Booking.objects.create(
        **fields,
        start=start,
        end=start + timedelta(minutes=45),
        blocked_start=start,
        blocked_end=start + timedelta(minutes=60),
        session_key="a",
    )
    later = start + timedelta(minutes=50)  # inside the first booking's buffer
    with pytest.raises(IntegrityError, match="booking_therapist_no_overlap"), transaction.atomic():
        Booking.objects.create(
            **fields,
            start=later,
            end=later + timedelta(minutes=45),
            blocked_start=later,
            blocked_end=later + timedelta(minutes=60),
            session_key="b",
        )
    other_room = RoomFactory(clinic=clinic)
    back_to_back = start + timedelta(minutes=60)
    Booking.objects.create(
        **{**fields, "room": other_room},
        start=back_to_back,
        end=back_to_back + timedelta(minutes=45),
        blocked_start=back_to_back,
        blocked_end=back_to_back + timedelta(minutes=60),
        session_key="c",
    )
    assert Booking.objects.count() == 2


@pytest.mark.usefixtures("frozen_now")
def test_a_booking_that_waits_too_long_for_the_clinic_lock_gets_slot_busy(clinic, massage, patient):
    """Lock waits are bounded: a booking stuck behind a long transaction answers 409 slot_busy."""
    from booking import errors, services
    from booking.services.locking import _lock_clinic

    holding = threading.Event()
    release = threading.Event()

    def hold_the_clinic() -> None:
        try:
            with transaction.atomic():
                _lock_clinic(clinic.pk)
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_clinic)
    holder.start()
    assert holding.wait(timeout=10)
    outcome: list = []

    def try_to_book() -> None:
        try:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '300ms'")
            services.book_session(
                treatment=massage,
                start=datetime(2027, 3, 2, 10, tzinfo=UTC),
                patient=patient,
                now=datetime(2027, 3, 1, 9, tzinfo=UTC),
            )
            outcome.append("booked")
        except errors.SlotBusy as busy:
            outcome.append(busy.code)
        finally:
            connections.close_all()

    booker = threading.Thread(target=try_to_book)
    booker.start()
    booker.join(timeout=30)
    release.set()
    holder.join(timeout=30)
    assert outcome == ["slot_busy"]
    assert not Booking.objects.exists()
