"""The clinic's side of the needling screening: the list of screenings waiting for a call, and
a care-team clinician correcting a screening or acknowledging its precautions."""

from datetime import UTC, datetime

import pytest

from audit.models import RecordRead
from plans import services
from plans.models import NeedlingScreening, ScreeningCorrection
from plans.selectors import needling_clearance
from tests.factories import PatientFactory
from tests.plans.conftest import answers, book_past_session

pytestmark = pytest.mark.usefixtures("frozen_now")


def _screen(patient, clinic, **values):
    return services.record_screening(
        patient=patient, clinic=clinic, answers={**answers(), **values}, screened_by=patient.user
    )


@pytest.fixture
def tess(browser_for, therapist):
    return browser_for(therapist.user)


@pytest.fixture
def assessed(patient, therapist, massage):
    """Pat had a session with Tess last week: Tess is in Pat's care team."""
    return book_past_session(massage, patient, therapist, datetime(2027, 2, 22, 10, tzinfo=UTC))


def test_the_care_team_sees_what_to_check_and_reception_only_whom_to_call(
    browser_for, tess, patient, clinic, assessed, receptionist, therapist
):
    patient.phone = "+441332000111"
    patient.save()
    _screen(patient, clinic, anticoagulants=None)
    stranger = PatientFactory(clinic=clinic, first_name="Sam", last_name="Stranger")
    _screen(stranger, clinic, diabetes=True)
    _screen(PatientFactory(clinic=clinic, first_name="Clear"), clinic)

    page = tess.get("/therapist/screenings/").content.decode()
    assert "Pat Jones" in page
    assert "+441332000111" in page
    assert "Not sure:" in page
    assert "anticoagulant" in page
    assert "Sam Stranger" in page
    assert "diabetes" not in page.lower()  # Sam is not Tess's patient: no answers shown
    assert "Clear" not in page
    assert RecordRead.objects.filter(
        actor=therapist.user, patient_id=patient.pk, object_type="needling_screening"
    ).exists()

    desk = browser_for(receptionist).get("/therapist/screenings/").content.decode()
    assert "Pat Jones" in desk
    assert "Sam Stranger" in desk
    assert "anticoagulant" not in desk
    assert "/therapist/screenings/" + str(NeedlingScreening.objects.first().pk) not in desk


def test_a_clinician_corrects_a_mis_tap_with_a_reason(tess, patient, clinic, assessed, therapist):
    screening = _screen(patient, clinic, needle_phobia=True)
    url = f"/therapist/screenings/{screening.pk}/"
    page = tess.get(url).content.decode()
    assert "Needling ruled out" in page
    assert "Has a fear of needles (needle phobia)." in page
    assert "Are you very frightened of needles?" in page

    data = {"action": "correct", "reason": "Phoned Pat: tapped yes by mistake."}
    data.update({code: "yes" if value else "no" for code, value in screening.answers.items()})
    data["needle_phobia"] = "no"
    response = tess.post(url, data)

    assert response.status_code == 302
    correction = ScreeningCorrection.objects.get()
    assert correction.corrected_by == therapist.user
    assert correction.before == {"needle_phobia": True}
    assert correction.after == {"needle_phobia": False}
    assert needling_clearance(patient=patient, on=clinic.today()).status == "consent_required"
    page = tess.get(url).content.decode()
    assert "Phoned Pat: tapped yes by mistake." in page
    assert "<strong>Yes → No</strong>" in page


def test_a_correction_without_a_reason_or_a_change_is_refused(tess, patient, clinic, assessed):
    screening = _screen(patient, clinic, needle_phobia=True)
    url = f"/therapist/screenings/{screening.pk}/"
    same = {code: "yes" if value else "no" for code, value in screening.answers.items()}

    no_reason = tess.post(url, {"action": "correct", **same, "needle_phobia": "no"})
    no_change = tess.post(url, {"action": "correct", **same, "reason": "Checked"})

    assert no_reason.status_code == 400
    assert "Say why the screening is corrected." in no_reason.content.decode()
    assert no_change.status_code == 400
    assert "Change at least one answer" in no_change.content.decode()
    assert not ScreeningCorrection.objects.exists()


def test_a_not_sure_resolved_on_the_phone_then_precautions_acknowledged(
    tess, patient, clinic, assessed
):
    screening = _screen(patient, clinic, anticoagulants=None)
    url = f"/therapist/screenings/{screening.pk}/"
    data = {code: "yes" if value else "no" for code, value in screening.answers.items()}
    tess.post(url, {"action": "correct", **data, "anticoagulants": "yes", "reason": "Apixaban"})

    page = tess.get(url).content.decode()
    assert "Acknowledge the precautions" in page
    tess.post(url, {"action": "acknowledge", "note": "Superficial needling, pressure after."})

    screening.refresh_from_db()
    assert screening.precautions_acknowledged_at is not None
    assert needling_clearance(patient=patient, on=clinic.today()).status == "consent_required"


def test_only_the_care_team_opens_a_screening(browser_for, tess, patient, clinic, receptionist):
    screening = _screen(patient, clinic, needle_phobia=True)  # Tess has never treated Pat
    url = f"/therapist/screenings/{screening.pk}/"

    for client in (tess, browser_for(receptionist), browser_for(patient.user)):
        response = client.post(url, {"action": "correct", "needle_phobia": "no", "reason": "x"})
        assert response.status_code == 403
    screening.refresh_from_db()
    assert screening.absolute_contraindications == ["needle_phobia"]
    assert not ScreeningCorrection.objects.exists()
