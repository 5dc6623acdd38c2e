"""A patient's appointments: list, move, cancel, calendar file; signed in or by emailed link."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from icalendar import Calendar

from booking.models import Booking, BookingStatus
from booking.services import complete_booking
from notifications.models import CalendarEntry
from tests.conftest import NOW
from tests.factories import PatientFactory, UserFactory
from waitlist.models import WaitlistEntry, WaitlistStatus
from waitlist.services import add_to_waitlist
from web.links import booking_for_token, manage_booking_url, manage_token


@pytest.mark.django_db
def test_my_appointments_lists_upcoming_and_past_of_this_patient_only(
    browser_for, massage, patient, book, frozen_now
):
    book(massage, patient, "2027-03-02T10:00")
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        past = book(massage, patient, "2027-03-01T08:00")
    complete_booking(booking=past)
    book(massage, PatientFactory(clinic=massage.clinic, first_name="Olive"), "2027-03-03T10:00")
    page = browser_for(patient.user).get("/appointments/").content.decode()
    coming_up, _, earlier = page.partition("Past and cancelled")
    assert "Tuesday 2 March, 10:00" in coming_up
    assert "Monday 1 March 2027, 08:00" in earlier
    assert "Completed" in earlier
    assert "Wednesday 3 March" not in page


@pytest.mark.django_db
def test_another_patients_booking_is_not_found(browser_for, massage, patient, book, frozen_now):
    theirs = book(massage, PatientFactory(clinic=massage.clinic), "2027-03-02T10:00")
    assert browser_for(patient.user).get(f"/appointments/{theirs.uid}/").status_code == 404


@pytest.mark.django_db
def test_signed_link_opens_the_booking_without_signing_in(
    browser_for, massage, patient, book, frozen_now
):
    booking = book(massage, patient, "2027-03-02T10:00")
    url = manage_booking_url(booking)
    page = browser_for(None).get(url).content.decode()
    assert "Tuesday 2 March 2027, 10:00–10:45" in page
    assert f"{url}reschedule/" in page
    assert f"{url}cancel/" in page


@pytest.mark.django_db
def test_a_damaged_link_is_refused(browser_for, massage, patient, book, frozen_now):
    booking = book(massage, patient, "2027-03-02T10:00")
    token = manage_token(booking)
    assert browser_for(None).get(f"/manage/{token[:-2]}xx/").status_code == 404


def test_manage_url_is_absolute_with_a_base_url(db, massage, patient, book, frozen_now):
    booking = book(massage, patient, "2027-03-02T10:00")
    url = manage_booking_url(booking, base_url="https://book.derby-physio.test/")
    assert url.startswith("https://book.derby-physio.test/manage/")
    assert booking_for_token(url.rsplit("/", 2)[-2]) == booking


def test_links_expire_after_the_maximum_age(db, massage, patient, book, frozen_now):
    booking = book(massage, patient, "2027-03-02T10:00")
    token = manage_token(booking)
    with time_machine.travel(NOW + timedelta(days=401), tick=False):
        assert booking_for_token(token) is None


@pytest.mark.django_db
def test_patient_moves_a_booking_by_link_and_the_freed_time_is_offered(
    browser_for, massage, patient, book, therapist, frozen_now, django_capture_on_commit_callbacks
):
    booking = book(massage, patient, "2027-03-02T10:00")
    waiting = add_to_waitlist(
        patient=PatientFactory(clinic=massage.clinic), treatment=massage, earliest=NOW.date()
    )
    url = manage_booking_url(booking)
    browser = browser_for(None)
    page = browser.get(f"{url}reschedule/?from=2027-03-03").content.decode()
    assert 'aria-label="Move to Wednesday 3 March at 14:00"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            f"{url}reschedule/",
            {"start": "2027-03-03T14:00:00+00:00", "therapist": str(therapist.pk), "version": "1"},
        )
    assert response["Location"] == url
    booking.refresh_from_db()
    assert booking.start == datetime(2027, 3, 3, 14, tzinfo=UTC)
    assert booking.version == 2
    waiting.refresh_from_db()
    assert waiting.status == WaitlistStatus.OFFERED
    assert waiting.offered_start == datetime(2027, 3, 2, 10, tzinfo=UTC)


@pytest.mark.django_db
def test_a_tapped_time_asks_for_confirmation_before_moving(
    browser_for, massage, patient, book, therapist, frozen_now
):
    booking = book(massage, patient, "2027-03-02T10:00")
    browser = browser_for(patient.user)
    url = f"/appointments/{booking.uid}/reschedule/"
    times = browser.get(f"{url}?therapist={therapist.pk}&from=2027-03-02&day=2027-03-03")
    tapped = f"{url}?therapist={therapist.pk}&amp;from=2027-03-02&amp;day=2027-03-03&amp;start="
    assert tapped in times.content.decode()

    confirm = browser.get(
        url, {"therapist": therapist.pk, "start": "2027-03-03T14:00:00+00:00"}
    ).content.decode()

    assert "Move your appointment?" in confirm
    assert "Tuesday 2 March, 10:00 with Tess Physio" in confirm
    assert "<strong>Wednesday 3 March, 14:00</strong> with Tess Physio" in confirm
    assert 'name="start" value="2027-03-03T14:00:00+00:00"' in confirm
    assert "Move my appointment</button>" in confirm
    booking.refresh_from_db()
    assert booking.start == datetime(2027, 3, 2, 10, tzinfo=UTC)


@pytest.mark.django_db
def test_the_current_time_is_never_offered_and_days_off_say_not_working(
    browser_for, massage, patient, book, therapist, frozen_now
):
    booking = book(massage, patient, "2027-03-02T10:00")
    therapist.working_hours.filter(weekday=3).delete()  # Thursdays off
    massage.clinic.opening_hours.filter(weekday=6).delete()  # closed on Sundays
    page = (
        browser_for(patient.user)
        .get(
            f"/appointments/{booking.uid}/reschedule/",
            {"therapist": therapist.pk, "from": "2027-03-01", "day": "2027-03-02"},
        )
        .content.decode()
    )
    assert 'aria-label="Move to Tuesday 2 March at 09:45"' in page
    assert 'aria-label="Move to Tuesday 2 March at 10:00"' not in page
    assert 'not working<span class="visually-hidden">: no times on Thursday 4 March' in page
    assert 'closed<span class="visually-hidden">: no times on Sunday 7 March' in page
    assert "full<span" not in page

    thursday = (
        browser_for(patient.user)
        .get(
            f"/appointments/{booking.uid}/reschedule/",
            {"therapist": therapist.pk, "from": "2027-03-01", "day": "2027-03-04"},
        )
        .content.decode()
    )
    assert "Tess Physio does not work on this day." in thursday


@pytest.mark.django_db
def test_moving_onto_a_taken_time_offers_alternatives_and_keeps_the_booking(
    browser_for, massage, patient, book, frozen_now
):
    booking = book(massage, patient, "2027-03-02T10:00")
    book(massage, PatientFactory(clinic=massage.clinic), "2027-03-03T14:00")
    response = browser_for(patient.user).post(
        f"/appointments/{booking.uid}/reschedule/",
        {"start": "2027-03-03T14:00:00+00:00", "therapist": "any"},
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Move to Wed 3 Mar, 13:00" in page
    booking.refresh_from_db()
    assert booking.start == datetime(2027, 3, 2, 10, tzinfo=UTC)
    assert booking.version == 1


@pytest.mark.django_db
def test_inside_the_late_window_moving_online_is_replaced_by_call_the_clinic(
    browser_for, massage, patient, book, frozen_now
):
    booking = book(massage, patient, "2027-03-01T15:00")
    page = browser_for(patient.user).get(f"/appointments/{booking.uid}/").content.decode()
    assert "can no longer be moved online" in page
    assert "will count as a late cancellation" in page
    assert f"/appointments/{booking.uid}/reschedule/" not in page


@pytest.mark.django_db
def test_a_late_cancellation_is_warned_about_and_needs_confirming(
    browser_for, massage, patient, book, frozen_now
):
    booking = book(massage, patient, "2027-03-01T15:00")
    browser = browser_for(patient.user)
    cancel_url = f"/appointments/{booking.uid}/cancel/"
    assert "This would be a late cancellation." in browser.get(cancel_url).content.decode()

    refused = browser.post(cancel_url, {"reason": "work", "version": "1"})
    assert "Please confirm you understand this is a late cancellation." in refused.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED

    browser.post(cancel_url, {"reason": "work", "version": "1", "understands_late": "on"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.is_late_cancellation
    assert booking.cancelled_by == patient.user


@pytest.mark.django_db
def test_cancelling_by_link_frees_the_time_for_the_waiting_list(
    browser_for, massage, patient, book, frozen_now, django_capture_on_commit_callbacks
):
    booking = book(massage, patient, "2027-03-04T10:00")
    waiting = add_to_waitlist(
        patient=PatientFactory(clinic=massage.clinic), treatment=massage, earliest=NOW.date()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = browser_for(None).post(
            f"{manage_booking_url(booking)}cancel/", {"reason": "", "version": "1"}
        )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert not booking.is_late_cancellation
    assert booking.cancelled_by is None
    assert WaitlistEntry.objects.get(pk=waiting.pk).status == WaitlistStatus.OFFERED


@pytest.mark.django_db
def test_a_started_session_cannot_be_cancelled_online(
    browser_for, massage, patient, book, frozen_now
):
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        booking = book(massage, patient, "2027-03-01T08:30")
    response = browser_for(patient.user).post(
        f"/appointments/{booking.uid}/cancel/", {"version": "1", "understands_late": "on"}
    )
    assert "can no longer be cancelled online" in response.content.decode()
    assert Booking.objects.get().status == BookingStatus.CONFIRMED


@pytest.mark.django_db
def test_calendar_file_has_utc_times_a_stable_uid_and_no_treatment(
    browser_for, massage, patient, book, frozen_now
):
    booking = book(massage, patient, "2027-03-02T10:00")
    response = browser_for(patient.user).get(f"/appointments/{booking.uid}/calendar.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    # The same event as the confirmation email's invitation, so calendars show it once.
    invitation_uid = CalendarEntry.objects.get(booking_id=booking.pk).uid
    assert str(event["UID"]) == str(invitation_uid)
    assert "METHOD" not in response.content.decode()
    assert event.decoded("DTSTART") == datetime(2027, 3, 2, 10, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2027, 3, 2, 10, 45, tzinfo=UTC)
    assert str(event["SUMMARY"]) == "Appointment at Derby Physio"
    assert "massage" not in response.content.decode().lower()
    assert "/manage/" in str(event["DESCRIPTION"])


@pytest.mark.django_db
def test_pages_need_sign_in_and_a_patient_record(browser_for, massage, frozen_now):
    assert browser_for(None).get("/appointments/")["Location"].startswith("/sign-in/?next=")
    stranger = UserFactory(username="stranger")
    assert browser_for(stranger).get("/appointments/").status_code == 403
