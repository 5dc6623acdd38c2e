"""Booking dry needling online: the screening questionnaire and consent come first."""

from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from booking.models import Booking, Modality
from plans.clinical import SCREENING_ITEMS
from plans.models import NeedlingConsent, NeedlingScreening
from tests.factories import TreatmentFactory

START = "2027-03-02T10:00:00+00:00"


@pytest.fixture
def needling(clinic, room, therapist):
    return TreatmentFactory(
        clinic=clinic,
        name="Dry needling",
        modality=Modality.DRY_NEEDLING,
        duration_minutes=30,
        required_qualifications=["dry_needling"],
        required_room_features=["needling_approved"],
    )


@pytest.fixture
def pat(browser_for, patient, frozen_now):
    return browser_for(patient.user)


def url(treatment):
    return f"/book/derby/{treatment.pk}/confirm/?therapist=any&start={quote(START)}"


def answers(**yes):
    data = {"action": "screening", "start": START, "therapist": "any"}
    data.update({item.code: "yes" if item.code in yes else "no" for item in SCREENING_ITEMS})
    return data


@pytest.mark.django_db
def test_a_needling_treatment_asks_the_screening_questions_first(pat, needling):
    page = pat.get(url(needling)).content.decode()
    assert "A few safety questions" in page
    assert "Screening and consent" in page
    assert "Has a fear of needles (needle phobia)." in page
    assert "Confirm booking" not in page


@pytest.mark.django_db
def test_screening_then_consent_then_the_booking(pat, needling, patient):
    assert pat.post(url(needling), answers()).status_code == 302
    screening = NeedlingScreening.objects.get(patient=patient)
    assert screening.absolute_contraindications == []
    assert screening.screened_by == patient.user

    page = pat.get(url(needling)).content.decode()
    assert "Your consent to dry needling" in page
    refused = pat.post(url(needling), {"action": "consent", "start": START, "therapist": "any"})
    assert "Tick the box to consent" in refused.content.decode()
    assert not NeedlingConsent.objects.exists()

    pat.post(
        url(needling), {"action": "consent", "start": START, "therapist": "any", "consents": "on"}
    )
    consent = NeedlingConsent.objects.get(patient=patient)
    assert consent.method == "electronic"
    assert consent.given_by == "Pat Jones"

    assert "Confirm booking" in pat.get(url(needling)).content.decode()
    pat.post(url(needling), {"action": "confirm", "start": START, "therapist": "any"})
    assert Booking.objects.get().start == datetime(2027, 3, 2, 10, tzinfo=UTC)


@pytest.mark.django_db
def test_an_absolute_contraindication_stops_the_booking(pat, needling):
    pat.post(url(needling), answers(needle_phobia=True))
    page = pat.get(url(needling)).content.decode()
    assert "dry needling is not safe for you" in page
    assert "Give consent" not in page
    response = pat.post(url(needling), {"action": "confirm", "start": START, "therapist": "any"})
    assert response.status_code == 302  # back to the explanation, nothing booked
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_precautions_wait_for_a_therapist(pat, needling):
    pat.post(url(needling), answers(anticoagulants=True))
    page = pat.get(url(needling)).content.decode()
    assert "need a therapist to look at them" in page
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_an_unanswered_question_is_asked_again(pat, needling):
    data = answers()
    del data["pregnancy"]
    page = pat.post(url(needling), data).content.decode()
    assert "Please answer every question." in page
    assert not NeedlingScreening.objects.exists()
