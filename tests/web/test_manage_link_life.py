"""A manage-booking link lives as long as its booking is still to come: it dies when the booking
is cancelled, once the session has taken place, and at the session's end; the page it then
opens says why, and nothing about the booking can be done through it any more."""

from datetime import timedelta

import pytest
import time_machine

from booking.models import BookingStatus
from booking.services import cancel_booking, complete_booking
from tests.conftest import NOW
from web.links import CANCELLED, HAPPENED, INVALID, manage_booking_url, open_manage_link

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

LINK_PAGES = ["", "reschedule/", "cancel/", "calendar.ics"]


@pytest.fixture
def booking(massage, patient, book):
    return book(massage, patient, "2027-03-02T10:00")  # Tuesday, 10:00-10:45 UTC


def _token(booking) -> str:
    return manage_booking_url(booking).rstrip("/").rsplit("/", 1)[-1]


def test_the_link_works_until_the_session_ends(booking):
    token = _token(booking)

    assert open_manage_link(token).works
    assert open_manage_link(token, now=booking.end - timedelta(seconds=1)).works
    assert open_manage_link(token, now=booking.end).ended == HAPPENED


@pytest.mark.parametrize("suffix", LINK_PAGES)
def test_a_cancelled_bookings_link_says_so_and_does_nothing(browser_for, booking, suffix):
    url = manage_booking_url(booking)
    cancel_booking(booking=booking, apply_policy=False)

    response = browser_for(None).get(f"{url}{suffix}")

    assert response.status_code == 410
    page = response.content.decode()
    assert "This link no longer works" in page
    assert "was cancelled" in page
    assert "Tuesday 2 March 2027, 10:00" in page
    assert 'href="/manage/' not in page  # no way on to the booking's pages
    assert open_manage_link(_token(booking)).ended == CANCELLED


def test_moving_by_a_cancelled_link_is_refused(browser_for, booking, therapist):
    url = manage_booking_url(booking)
    cancel_booking(booking=booking, apply_policy=False)

    response = browser_for(None).post(
        f"{url}reschedule/",
        {"start": "2027-03-03T14:00:00+00:00", "therapist": str(therapist.pk), "version": "2"},
    )

    assert response.status_code == 410
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.start.day == 2


def test_cancelling_by_link_ends_the_link_with_a_clear_page(browser_for, booking):
    url = manage_booking_url(booking)
    browser = browser_for(None)

    cancelled = browser.post(f"{url}cancel/", {"reason": "", "version": "1"}, follow=True)

    assert cancelled.status_code == 410
    page = cancelled.content.decode()
    assert "Your appointment is cancelled." in page
    assert "This link no longer works" in page


@pytest.mark.parametrize("suffix", LINK_PAGES)
def test_a_link_to_a_session_that_took_place_says_so(browser_for, booking, suffix):
    url = manage_booking_url(booking)
    with time_machine.travel(booking.end + timedelta(minutes=1), tick=False):
        response = browser_for(None).get(f"{url}{suffix}")
        complete_booking(booking=booking)
        after_completion = browser_for(None).get(f"{url}{suffix}")

    for answer in (response, after_completion):
        assert answer.status_code == 410
        assert "has already taken place" in answer.content.decode()


def test_a_completed_session_ends_its_link_even_before_its_end(booking):
    with time_machine.travel(booking.start + timedelta(minutes=30), tick=False):
        complete_booking(booking=booking)
        assert open_manage_link(_token(booking)).ended == HAPPENED


def test_a_damaged_link_is_a_404_with_the_same_explanation(browser_for, booking):
    token = _token(booking)

    response = browser_for(None).get(f"/manage/{token[:-2]}xx/")

    assert response.status_code == 404
    assert "This link no longer works" in response.content.decode()
    assert open_manage_link(token[:-2] + "xx").ended == INVALID


def test_a_rescheduled_booking_keeps_its_link_until_its_new_end(browser_for, booking, therapist):
    url = manage_booking_url(booking)
    moved = browser_for(None).post(
        f"{url}reschedule/",
        {"start": "2027-03-09T14:00:00+00:00", "therapist": str(therapist.pk), "version": "1"},
    )
    assert moved.status_code == 302

    with time_machine.travel(NOW + timedelta(days=7), tick=False):  # after the old time
        assert browser_for(None).get(url).status_code == 200
