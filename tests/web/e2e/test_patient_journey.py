"""In a real browser on a phone-sized screen: a patient books, finds the time taken, books
the nearest alternative, moves it and cancels it."""

import re
from datetime import UTC, datetime

import pytest

from booking.models import Booking, BookingStatus, Channel
from booking.services import book_session
from tests.factories import PatientFactory

from .pages import DESKTOP, PHONE, shot, sign_in


@pytest.mark.django_db(transaction=True)
def test_patient_books_moves_and_cancels(open_page, clock, massage, patient):
    page = open_page(PHONE)

    page.goto("/")
    page.get_by_role("heading", name="What would you like to book?").wait_for()
    shot(page, "patient-01-treatments-360")
    page.get_by_role("link", name=re.compile("Sports massage")).click()

    page.get_by_role("heading", name="Who would you like to see?").wait_for()
    shot(page, "patient-02-therapist-360")
    page.get_by_role("link", name=re.compile("Anyone available")).click()

    page.get_by_role("heading", name="Choose a day and time").wait_for()
    page.get_by_role("link", name=re.compile("times free on Tuesday 2 March")).click()
    shot(page, "patient-03-times-360")
    page.get_by_role("link", name="Tuesday 2 March at 10:00").click()

    page.get_by_role("heading", name="Your details").wait_for()
    shot(page, "patient-04-details-360")
    page.get_by_role("link", name="Sign in").last.click()
    page.get_by_label("Email address or username").fill("pat")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("heading", name="Confirm your booking").wait_for()
    shot(page, "patient-05-confirm-360")
    # Someone else takes 10:00 while Pat reads the summary.
    book_session(
        treatment=massage,
        start=datetime(2027, 3, 2, 10, tzinfo=UTC),
        patient=PatientFactory(clinic=massage.clinic),
        apply_policy=False,
    )
    page.get_by_role("button", name="Confirm booking").click()

    page.get_by_role("heading", name="Sorry, that time has just gone").wait_for()
    shot(page, "patient-06-taken-alternatives-360")
    page.get_by_role("button", name="Book Tue 2 Mar, 11:00").click()

    page.get_by_text("You're booked in.").wait_for()
    shot(page, "patient-07-booked-360")
    booking = Booking.objects.get(patient=patient)
    assert booking.start == datetime(2027, 3, 2, 11, tzinfo=UTC)
    assert booking.channel == Channel.ONLINE
    calendar = page.request.get(
        page.get_by_role("link", name="Add to calendar (.ics)").get_attribute("href")
    )
    assert calendar.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "DTSTART:20270302T110000Z" in calendar.text()

    page.get_by_role("link", name="Move or cancel").click()
    page.get_by_role("link", name="Move to another time").click()
    page.get_by_role("heading", name="Move your appointment").wait_for()
    page.get_by_role("link", name=re.compile("times free on Wednesday 3 March")).click()
    shot(page, "patient-08-reschedule-360")
    page.get_by_role("link", name="Move to Wednesday 3 March at 14:00").click()
    # A tapped time is only proposed: nothing moves until the patient confirms.
    page.get_by_role("heading", name="Move your appointment?").wait_for()
    shot(page, "patient-08b-reschedule-confirm-360")
    booking.refresh_from_db()
    assert booking.start == datetime(2027, 3, 2, 11, tzinfo=UTC)
    page.get_by_role("button", name="Move my appointment").click()
    page.get_by_text("Moved to Wednesday 3 March at 14:00.").wait_for()
    booking.refresh_from_db()
    assert booking.start == datetime(2027, 3, 3, 14, tzinfo=UTC)

    page.get_by_role("link", name="Cancel appointment").click()
    page.get_by_label("Reason").select_option("work")
    shot(page, "patient-09-cancel-360")
    page.get_by_role("button", name="Cancel appointment").click()
    page.get_by_text("Your appointment is cancelled.").wait_for()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancellation_reason == "work"

    page.goto("/appointments/")
    page.get_by_role("heading", name="My appointments").wait_for()
    shot(page, "patient-10-appointments-360")

    desktop = open_page(DESKTOP)
    sign_in(desktop, "pat")
    desktop.get_by_role("heading", name="My appointments").wait_for()
    shot(desktop, "patient-10-appointments-desktop")
    desktop.goto(f"/book/derby/{massage.pk}/times/?therapist=any&from=2027-03-02")
    shot(desktop, "patient-03-times-desktop")
