"""Booking dry needling online: the screening in plain words (screen by screen, yes / no / not
sure), a review of the answers, then consent. "Not sure" routes to a call from the clinic."""

from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from booking.models import Booking, Modality
from plans.clinical import SCREENING_GROUPS, items_in_group
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


def url(treatment, screen=None):
    base = f"/book/derby/{treatment.pk}/confirm/?therapist=any&start={quote(START)}"
    return f"{base}&screen={screen}" if screen else base


def screen_data(group, **given):
    """One screen's answers: "no" to each question unless given ("yes" / "not_sure")."""
    data = {"action": "screening_group", "group": group, "start": START, "therapist": "any"}
    data.update({item.code: given.get(item.code, "no") for item in items_in_group(group)})
    return data


def answer_all(pat, treatment, **given):
    """Answer every screen (returns the last response: the redirect to the review)."""
    for group in SCREENING_GROUPS:
        response = pat.post(url(treatment), screen_data(group.code, **given))
        assert response.status_code == 302, response.content.decode()[:500]
    return response


def send(pat, treatment):
    return pat.post(url(treatment), {"action": "screening", "start": START, "therapist": "any"})


@pytest.mark.django_db
def test_the_screening_starts_with_plain_questions_on_the_first_screen(pat, needling):
    page = pat.get(url(needling)).content.decode()

    assert "Your health today" in page
    assert "1 of 5" in page
    assert "Are you unwell at the moment" in page
    assert "Not sure" in page
    # Clinician wording and later screens are not on it; nothing is booked or recorded yet.
    assert "acute medical condition" not in page
    assert "Are you very frightened of needles?" not in page
    assert "Confirm booking" not in page
    assert not NeedlingScreening.objects.exists()


@pytest.mark.django_db
def test_each_screen_leads_to_the_next_then_to_the_review(pat, needling):
    response = pat.post(url(needling), screen_data("today"))
    assert response.status_code == 302
    assert response["Location"].endswith("&screen=medicines")
    page = pat.get(response["Location"]).content.decode()
    assert "Medicines" in page
    assert "2 of 5" in page
    assert "Do you take medicine to thin your blood" in page

    response = answer_all(pat, needling)
    assert response["Location"].endswith("&screen=review")
    assert not NeedlingScreening.objects.exists()  # nothing recorded before the review


@pytest.mark.django_db
def test_the_review_shows_every_answer_and_changing_one_goes_back_to_the_review(
    pat, needling, patient
):
    answer_all(pat, needling, pregnancy="not_sure")
    review = pat.get(url(needling, "review")).content.decode()
    assert "Check your answers" in review
    assert review.count('<dd class="answer-') == 19
    assert "Are you pregnant, or trying to get pregnant?" in review
    assert "Not sure" in review
    assert "screen=pregnancy" in review  # the change link of that group

    changed = pat.post(url(needling), screen_data("pregnancy", pregnancy="no"))
    assert changed["Location"].endswith("&screen=review")
    send(pat, needling)

    screening = NeedlingScreening.objects.get(patient=patient)
    assert screening.answers["pregnancy"] is False
    assert screening.unsure == []
    assert screening.screened_by == patient.user


@pytest.mark.django_db
def test_a_screen_left_unanswered_says_which_question(pat, needling):
    data = screen_data("medicines")
    del data["anticoagulants"]

    response = pat.post(url(needling), data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_anticoagulants_0"' in page
    assert "Choose yes, no or not sure." in page
    assert not NeedlingScreening.objects.exists()


@pytest.mark.django_db
def test_sending_before_every_screen_is_answered_goes_to_the_first_missing_one(pat, needling):
    pat.post(url(needling), screen_data("today"))

    response = send(pat, needling)

    assert response["Location"].endswith("&screen=medicines")
    assert not NeedlingScreening.objects.exists()
    # The review cannot be reached early either.
    assert pat.get(url(needling, "review"))["Location"].endswith("&screen=medicines")


@pytest.mark.django_db
def test_screening_then_consent_then_the_booking(pat, needling, patient):
    answer_all(pat, needling)
    assert send(pat, needling).status_code == 302
    screening = NeedlingScreening.objects.get(patient=patient)
    assert screening.absolute_contraindications == []

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
    answer_all(pat, needling, needle_phobia="yes")
    send(pat, needling)

    page = pat.get(url(needling)).content.decode()
    assert "dry needling is not safe for you" in page
    assert "a clinician can check it with you and correct it" in page
    assert "Give consent" not in page
    response = pat.post(url(needling), {"action": "confirm", "start": START, "therapist": "any"})
    assert response.status_code == 302  # back to the explanation, nothing booked
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_not_sure_is_saved_for_review_and_the_patient_is_told_the_clinic_will_phone(
    pat, needling, patient
):
    answer_all(pat, needling, anticoagulants="not_sure")
    send(pat, needling)

    screening = NeedlingScreening.objects.get(patient=patient)
    assert screening.unsure == ["anticoagulants"]
    assert screening.needs_review
    page = pat.get(url(needling)).content.decode()
    assert "will phone you" in page
    assert "Book a treatment without needling meanwhile" in page
    pat.post(url(needling), {"action": "confirm", "start": START, "therapist": "any"})
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_precautions_also_wait_for_a_call(pat, needling):
    answer_all(pat, needling, anticoagulants="yes")
    send(pat, needling)

    page = pat.get(url(needling)).content.decode()
    assert "need a clinician" in page
    assert "will phone you" in page
    assert not Booking.objects.exists()
