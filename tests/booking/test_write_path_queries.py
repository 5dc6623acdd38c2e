"""A booking, a move and a cancellation through the API cost at most 8 statements on
PostgreSQL (BEGIN/COMMIT/SAVEPOINT not counted; the change-history row and the outbox included),
and the same statements however full the diary is: nothing on the write path reads the diary
row by row. docs/decisions/0006-booking-write-path.md lists each statement."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.services import clinic_settings
from tests.factories import PatientFactory, RoomFactory, TherapistFactory

NOT_COUNTED = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")
HISTORY_ROW = 'INSERT INTO "booking_historicalbooking"'
BUDGET = 8
# A new booking's own budget on PostgreSQL since its write became one statement: token,
# treatment, patient (desk) or idempotency key (online), clinic lock with the booking's id,
# re-check, the write (docs/decisions/0006).
NEW_BOOKING = 6
# SQLite cannot write two tables in one statement, so there the outbox (calendar entry,
# messages, feed revisions) goes through the ORM: 3 statements for a new booking, more for a
# move or a cancellation, which re-read and update the entry and its messages. SQLite's
# statements are calls inside the process, not round trips to a server; the budget is
# PostgreSQL's (docs/decisions/0006). Ceilings here so that they cannot creep up either.
SQLITE_CEILING = {"desk": 9, "online": 9, "409": 4, "move": 15, "cancel": 11}


def _statements(fn):
    with CaptureQueriesContext(connection) as captured:
        response = fn()
    sql = [q["sql"] for q in captured.captured_queries]
    counted = [s for s in sql if not s.startswith(NOT_COUNTED)]
    # The audit trail keeps recording every creation and change: one history row each (on
    # PostgreSQL a new booking's is a part of the statement that writes the booking).
    history_rows = sum(s.count(HISTORY_ROW) for s in counted)
    return response, (len(counted), history_rows)


def _fill_the_diary(clinic, massage, therapist, book, *, days: int) -> None:
    """Every hour 08:00-19:00 for `days` days, for Tess and a colleague, each a new patient."""
    colleague = TherapistFactory(first_name="Theo", clinics=[clinic])
    RoomFactory(clinic=clinic, name="Room 2", features=["couch"])
    first = datetime(2027, 3, 2, 8, tzinfo=UTC)
    for day in range(days):
        for hour in range(12):
            start = (first + timedelta(days=day, hours=hour)).strftime("%Y-%m-%dT%H:%M")
            for who in (therapist, colleague):
                book(massage, PatientFactory(clinic=clinic), start, therapist=who)


def _write_path(api, receptionist, patient_user, massage, therapist, patient, day: str):
    """Statements of: a desk booking, a patient's own booking with an Idempotency-Key, the same
    slot again (409), a move and a cancellation, all on `day`."""
    desk, own = api(receptionist), api(patient_user)
    body = {"treatment": massage.pk, "therapist": therapist.pk}
    walk_in = PatientFactory(clinic=massage.clinic)
    # The clinic's notification settings are cached (read once per clinic every few minutes):
    # measure the steady state.
    clinic_settings(massage.clinic_id)
    booked, at_desk = _statements(
        lambda: desk.post(
            "/api/v1/bookings/",
            {**body, "start": f"{day}T10:00:00+00:00", "patient": walk_in.pk},
            format="json",
        )
    )
    assert booked.status_code == 201, booked.json()
    mine, online = _statements(
        lambda: own.post(
            "/api/v1/bookings/",
            {**body, "start": f"{day}T12:00:00+00:00"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=day,
        )
    )
    assert mine.status_code == 201, mine.json()
    refused, gone = _statements(
        lambda: desk.post(
            "/api/v1/bookings/",
            {**body, "start": f"{day}T10:00:00+00:00", "patient": patient.pk},
            format="json",
        )
    )
    assert refused.status_code == 409, refused.json()
    booking_id = booked.json()["id"]
    moved, move = _statements(
        lambda: desk.post(
            f"/api/v1/bookings/{booking_id}/reschedule/",
            {"start": f"{day}T14:00:00+00:00"},
            format="json",
        )
    )
    assert moved.status_code == 200, moved.json()
    cancelled, cancel = _statements(
        lambda: desk.post(f"/api/v1/bookings/{booking_id}/cancel/", {}, format="json")
    )
    assert cancelled.status_code == 200, cancelled.json()
    return {"desk": at_desk, "online": online, "409": gone, "move": move, "cancel": cancel}


@pytest.mark.django_db
def test_the_write_path_costs_the_same_however_full_the_diary(
    api, receptionist, patient_user, massage, therapist, patient, clinic, book, frozen_now
):
    clinic.min_notice_minutes = 0
    clinic.save(update_fields=["min_notice_minutes"])
    quiet = _write_path(api, receptionist, patient_user, massage, therapist, patient, "2027-03-10")
    _fill_the_diary(clinic, massage, therapist, book, days=7)
    busy = _write_path(api, receptionist, patient_user, massage, therapist, patient, "2027-03-11")
    assert busy == quiet
    counts = {name: total for name, (total, _history) in quiet.items()}
    # A refusal stops before anything is written: it never costs more than the success.
    assert counts["409"] <= counts["desk"]
    # Every write leaves its change-history row; the refusal writes none.
    assert {name: history for name, (_total, history) in quiet.items()} == {
        "desk": 1,
        "online": 1,
        "409": 0,
        "move": 1,
        "cancel": 1,
    }
    if connection.vendor == "postgresql":
        assert all(total <= BUDGET for total in counts.values()), counts
        assert counts["desk"] <= NEW_BOOKING, counts
        assert counts["online"] <= NEW_BOOKING, counts
    else:
        assert all(counts[name] <= SQLITE_CEILING[name] for name in counts), counts
