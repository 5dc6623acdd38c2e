"""A therapist's day and week."""

import re
from datetime import date, timedelta

import pytest
import time_machine

from booking.models import BookingStatus, Modality
from booking.services import complete_booking
from plans import services as plans
from plans.clinical import SCREENING_ITEMS
from plans.models import PlanSession
from tests.conftest import NOW
from tests.factories import PatientFactory, TherapistFactory, TreatmentFactory


@pytest.mark.django_db
def test_therapist_sees_today_and_the_week_with_each_patients_history(
    browser_for, massage, therapist, patient, book, clinic, frozen_now
):
    with time_machine.travel(NOW - timedelta(days=14), tick=False):
        earlier = book(massage, patient, "2027-02-15T10:00")
    with time_machine.travel(NOW - timedelta(days=13), tick=False):
        complete_booking(booking=earlier)
    book(massage, patient, "2027-03-01T11:00")
    book(
        massage,
        PatientFactory(clinic=clinic, first_name="Ada", last_name="Lovelace"),
        "2027-03-03T09:00",
    )
    theo = TherapistFactory(first_name="Theo", clinics=[clinic])
    book(
        massage,
        PatientFactory(clinic=clinic, first_name="Not", last_name="Mine"),
        "2027-03-01T12:00",
        therapist=theo,
    )

    page = browser_for(therapist.user).get("/therapist/").content.decode()
    today, _, week = page.partition('id="week-heading"')
    assert "Today, Monday 1 March" in today
    assert "Pat Jones" in today
    assert "Session 2 at Derby Physio; last seen 15 Feb 2027." in today
    assert "Ada Lovelace" in week
    assert "First session at Derby Physio." in week
    assert "Not Mine" not in page


@pytest.mark.django_db
def test_therapist_checks_in_their_own_patient_only(
    browser_for, massage, therapist, patient, book, clinic, frozen_now
):
    mine = book(massage, patient, "2027-03-01T11:00")
    theo = TherapistFactory(first_name="Theo", clinics=[clinic])
    theirs = book(massage, PatientFactory(clinic=clinic), "2027-03-01T12:00", therapist=theo)
    tess = browser_for(therapist.user)
    assert (
        tess.post(f"/therapist/bookings/{mine.pk}/status/", {"action": "check_in"}).status_code
        == 302
    )
    assert (
        tess.post(f"/therapist/bookings/{theirs.pk}/status/", {"action": "check_in"}).status_code
        == 404
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == BookingStatus.ARRIVED
    assert theirs.status == BookingStatus.CONFIRMED


@pytest.mark.django_db
def test_the_page_is_for_therapists(browser_for, patient, frozen_now):
    assert browser_for(patient.user).get("/therapist/").status_code == 403


@pytest.mark.django_db
def test_each_session_shows_its_place_in_the_plan_and_needling_clearance(
    browser_for, therapist, patient, clinic, room, book, frozen_now
):
    rehab = TreatmentFactory(clinic=clinic, name="Exercise rehab", required_qualifications=[])
    needling = TreatmentFactory(
        clinic=clinic,
        name="Dry needling",
        modality=Modality.DRY_NEEDLING,
        duration_minutes=30,
        required_qualifications=["dry_needling"],
    )
    plan = plans.create_plan(
        patient=patient,
        clinic=clinic,
        lead_therapist=therapist,
        condition="neck_pain",
        title="Neck rehab",
        start_date=date(2027, 3, 1),
        created_by=therapist.user,
        phases=[
            plans.PhaseSpec(
                name="Settle pain", weeks=3, components=(plans.ComponentSpec(rehab, sessions=3),)
            )
        ],
    )
    plans.activate_plan(plan=plan, activated_by=therapist.user)
    booking = book(rehab, patient, "2027-03-01T11:00")
    PlanSession.objects.filter(plan=plan, sequence=2).update(booking=booking)
    # Nell was cleared for needling when she booked, then withdrew her consent.
    nell = PatientFactory(clinic=clinic, first_name="Nell")
    screening = plans.record_screening(
        patient=nell,
        clinic=clinic,
        answers={item.code: False for item in SCREENING_ITEMS},
        screened_by=therapist.user,
    )
    plans.record_consent(
        screening=screening,
        given_by="Nell",
        method="written",
        scope="Neck",
        recorded_by=therapist.user,
    )
    book(needling, nell, "2027-03-01T12:00")
    plans.withdraw_consent(screening=screening)

    page = browser_for(therapist.user).get("/therapist/").content.decode()
    assert "Plan: <strong>Neck rehab</strong> · planned session 2 of 3 (Settle pain)" in page
    assert "Needs consent to dry needling" in page


@pytest.mark.django_db
def test_the_feed_address_works_and_rotating_it_stops_the_old_one(
    browser_for, therapist, frozen_now
):
    tess = browser_for(therapist.user)
    page = tess.get("/therapist/").content.decode()
    feed_url = re.search(r'value="(http://testserver/feeds/[\w-]+\.ics)"', page).group(1)
    assert 'href="webcal://testserver/feeds/' in page
    assert tess.get(feed_url).status_code == 200

    feed_id = re.search(r'action="/therapist/feeds/(\d+)/rotate/"', page).group(1)
    assert tess.post(f"/therapist/feeds/{feed_id}/rotate/").status_code == 302
    assert browser_for(None).get(feed_url).status_code == 404
    new_url = re.search(
        r'value="(http://testserver/feeds/[\w-]+\.ics)"', tess.get("/therapist/").content.decode()
    )
    assert new_url.group(1) != feed_url


@pytest.mark.django_db
def test_a_therapist_cannot_rotate_someone_elses_feed(
    browser_for, therapist, other_therapist, frozen_now
):
    nora = browser_for(other_therapist.user)
    nora_page = nora.get("/therapist/").content.decode()
    nora_feed = re.search(r'action="/therapist/feeds/(\d+)/rotate/"', nora_page).group(1)
    before = re.search(r'value="(http://testserver/feeds/[\w-]+\.ics)"', nora_page).group(1)
    assert (
        browser_for(therapist.user).post(f"/therapist/feeds/{nora_feed}/rotate/").status_code == 404
    )
    assert nora.get(before).status_code == 200
