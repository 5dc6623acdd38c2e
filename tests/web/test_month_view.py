"""The month view on the times step: each day's free times, or why there are none, from one
availability run. "Now" is Monday 1 March 2027 09:00 in Derby (open 08:00-20:00 every day)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Block, OpeningHours, WorkingHours

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def times_page(client, treatment, query=""):
    response = client.get(f"/book/derby/{treatment.pk}/times/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_month_shows_free_days_and_why_other_days_have_none(client, massage, clinic, therapist):
    OpeningHours.objects.filter(clinic=clinic, weekday=6).delete()  # closed on Sundays
    WorkingHours.objects.filter(therapist=therapist, weekday=5).delete()  # Tess: not Saturdays
    tuesday = datetime(2027, 3, 9, tzinfo=UTC)
    Block.objects.create(therapist=therapist, start=tuesday, end=tuesday + timedelta(days=1))

    page = times_page(client, massage, f"therapist={therapist.pk}")

    assert "March 2027" in page
    assert "Tuesday 2 March: 46 free times" in page
    assert "Sunday 7 March: the clinic is closed" in page
    assert "Saturday 6 March: the therapist is not working" in page
    assert "Tuesday 9 March: no free times" in page
    assert 'aria-current="date"' in page
    # A day links to its week, that day shown.
    assert f"?therapist={therapist.pk}&amp;from=2027-03-09&amp;day=2027-03-09" in page


def test_a_day_chosen_in_the_month_opens_with_its_times(client, massage):
    page = times_page(client, massage, "therapist=any&from=2027-03-17&day=2027-03-17")

    assert 'id="chosen-day" style="margin-top:0">Wednesday 17 March<' in page
    assert 'aria-label="Wednesday 17 March at 09:00"' in page


def test_past_days_and_days_beyond_the_booking_horizon_are_not_offered(client, massage, clinic):
    clinic.booking_horizon_days = 40
    clinic.save()

    march = times_page(client, massage, "therapist=any")
    assert "Next month: </span>Apr" in march
    assert "Previous month" not in march
    april = times_page(client, massage, "therapist=any&from=2027-04-01")
    assert "April 2027" in april
    assert "Previous month: </span>Mar" in april
    assert "Friday 9 April: 46 free times" in april
    assert "Saturday 10 April: 9 free times" in april  # up to 40 days from now, 09:00
    assert "Sunday 11 April: not open for online booking yet" in april
    assert "from=2027-04-11&amp;day=2027-04-11" not in april
    assert "Next month" not in april  # May is beyond the horizon


def test_the_month_comes_from_one_availability_run_whatever_is_booked(
    client, massage, patient, book
):
    with CaptureQueriesContext(connection) as quiet:
        before = times_page(client, massage, "therapist=any")
    for day in (2, 9, 16, 23, 30):
        book(massage, patient, f"2027-03-{day:02d}T10:00")
    with CaptureQueriesContext(connection) as busy:
        page = times_page(client, massage, "therapist=any")

    assert "Tuesday 2 March: 46 free times" in before
    assert "Tuesday 2 March: 46 free times" not in page  # the bookings took times
    assert "Tuesday 30 March: 46 free times" not in page
    assert len(busy) == len(quiet) <= 7
