"""The waiting list: who is offered freed time, and booking an offer."""

from datetime import UTC, date, datetime

import pytest

from booking.errors import SlotConflict
from booking.events import freed_time_of
from booking.models import Booking
from booking.services import cancel_booking
from tests.conftest import NOW
from tests.factories import PatientFactory, RoomFactory, TherapistFactory
from waitlist import errors
from waitlist.models import PartOfDay, WaitlistEntry, WaitlistStatus
from waitlist.selectors import offers_in_time_freed_by
from waitlist.services import add_to_waitlist, book_from_waitlist, offer_freed_time


@pytest.fixture
def cancelled(massage, patient, book, frozen_now):
    """Pat's Tuesday 10:00 massage with Tess, just cancelled."""
    booking = book(massage, patient, "2027-03-02T10:00")
    return cancel_booking(booking=booking, apply_policy=False)


def offer_time_freed_by(booking):
    """What the time-freed hook does when the cancellation commits."""
    return offer_freed_time(freed_time_of(booking))


def waiter(massage, **wishes):
    wishes.setdefault("earliest", NOW.date())
    return add_to_waitlist(
        patient=PatientFactory(clinic=massage.clinic), treatment=massage, **wishes
    )


def test_freed_time_is_offered_to_matching_waiters_oldest_first(massage, cancelled, therapist):
    anyone = waiter(massage)
    with_tess = waiter(massage, therapist=therapist)
    theo = TherapistFactory(first_name="Theo", clinics=[massage.clinic])
    with_theo = waiter(massage, therapist=theo)

    offered = offer_time_freed_by(cancelled)

    assert offered == [anyone, with_tess]
    assert offered[0].offered_start == datetime(2027, 3, 2, 10, tzinfo=UTC)
    assert offered[0].offered_therapist == therapist
    with_theo.refresh_from_db()
    assert with_theo.status == WaitlistStatus.WAITING


def test_days_and_part_of_day_are_respected(massage, cancelled):
    evenings = waiter(massage, part_of_day=PartOfDay.EVENING)
    too_late = waiter(massage, earliest=date(2027, 3, 3))
    too_early = waiter(massage, earliest=date(2027, 2, 20), latest=date(2027, 3, 1))
    mornings = waiter(massage, part_of_day=PartOfDay.MORNING)
    assert offer_time_freed_by(cancelled) == [mornings]
    for entry in (evenings, too_late, too_early):
        entry.refresh_from_db()
        assert entry.status == WaitlistStatus.WAITING


def test_a_waiter_busy_at_the_freed_start_is_offered_a_later_start_in_the_freed_time(
    massage, cancelled, book
):
    busy = waiter(massage)
    # The waiter already has a session 10:00-10:45, with another therapist in another room.
    theo = TherapistFactory(first_name="Theo", clinics=[massage.clinic])
    RoomFactory(clinic=massage.clinic, name="Room 2")
    book(massage, busy.patient, "2027-03-02T10:00", therapist=theo)
    [offer] = offer_time_freed_by(cancelled)
    assert offer == busy
    # 10:45 was only blocked by the cancelled session's buffer (10:45-11:00).
    assert offer.offered_start == datetime(2027, 3, 2, 10, 45, tzinfo=UTC)


def test_offering_twice_offers_nothing_new(massage, cancelled):
    entry = waiter(massage)
    assert offer_time_freed_by(cancelled) == [entry]
    offered_at = WaitlistEntry.objects.get(pk=entry.pk).offered_at
    assert offer_time_freed_by(cancelled) == []  # nothing new is offered
    assert offers_in_time_freed_by(cancelled) == [entry]  # the offer made, read back
    assert WaitlistEntry.objects.get(pk=entry.pk).offered_at == offered_at


def test_a_cancellation_through_the_api_offers_the_time_to_the_waiting_list(
    api, massage, patient, receptionist, book, frozen_now, django_capture_on_commit_callbacks
):
    booking = book(massage, patient, "2027-03-02T10:00")
    entry = waiter(massage)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(receptionist).post(f"/api/v1/bookings/{booking.pk}/cancel/", {})
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED
    assert entry.offered_start == datetime(2027, 3, 2, 10, tzinfo=UTC)


def test_a_move_through_the_api_offers_the_old_time(
    api, massage, patient, receptionist, book, frozen_now, django_capture_on_commit_callbacks
):
    booking = book(massage, patient, "2027-03-02T10:00")
    entry = waiter(massage)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(receptionist).post(
            f"/api/v1/bookings/{booking.pk}/reschedule/", {"start": "2027-03-04T15:00:00Z"}
        )
    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.status, entry.offered_start) == (
        WaitlistStatus.OFFERED,
        datetime(2027, 3, 2, 10, tzinfo=UTC),
    )


def test_booking_an_offer_closes_it_and_returns_rival_offers_to_waiting(
    massage, cancelled, receptionist
):
    first, second = waiter(massage), waiter(massage)
    offer_time_freed_by(cancelled)
    booking = book_from_waitlist(entry=first, booked_by=receptionist)
    assert booking.patient == first.patient
    assert booking.start == datetime(2027, 3, 2, 10, tzinfo=UTC)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.booking) == (WaitlistStatus.BOOKED, booking)
    assert second.status == WaitlistStatus.WAITING
    assert second.offered_start is None


def test_an_offer_taken_meanwhile_fails_and_leaves_the_entry_as_it_was(
    massage, cancelled, book, receptionist
):
    entry = waiter(massage)
    offer_time_freed_by(cancelled)
    book(massage, PatientFactory(clinic=massage.clinic), "2027-03-02T10:00")
    with pytest.raises(SlotConflict):
        book_from_waitlist(entry=entry, booked_by=receptionist)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED
    assert Booking.objects.filter(patient=entry.patient).count() == 0


def test_an_entry_without_an_offer_cannot_be_booked(massage, receptionist, frozen_now):
    entry = waiter(massage)
    with pytest.raises(errors.WaitlistEntryClosed):
        book_from_waitlist(entry=entry, booked_by=receptionist)


def test_wishing_for_a_therapist_who_does_not_offer_the_treatment_is_refused(
    massage, clinic, frozen_now
):
    unqualified = TherapistFactory(first_name="Una", clinics=[clinic], qualifications=["taping"])
    with pytest.raises(errors.WaitlistRuleBroken, match="does not offer Sports massage"):
        waiter(massage, therapist=unqualified)
