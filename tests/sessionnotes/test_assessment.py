"""The initial assessment of a plan's first session: red-flag screen, referral, and the plan
that cannot be activated while a positive red flag waits for a clinician."""

from datetime import UTC, datetime

import pytest

from plans.services import activate_plan
from sessionnotes.models import InitialAssessment
from sessionnotes.red_flags import BACK_PAIN
from tests.plans.conftest import book_past_session, build_plan, phase, sessions
from tests.sessionnotes.conftest import complete_note, massage_record

URL = "/api/v1/session-notes/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment_treatment(clinic, room, therapist):
    from tests.factories import TreatmentFactory

    return TreatmentFactory(clinic=clinic, name="Initial assessment", modality="assessment")


@pytest.fixture
def first_session(frozen_now, assessment_treatment, patient, therapist):
    return book_past_session(
        assessment_treatment, patient, therapist, datetime(2027, 2, 24, 9, tzinfo=UTC)
    )


def screen(**yes) -> dict:
    return {f.code: {"answer": "yes" if f.code in yes else "no"} for f in BACK_PAIN}


def assessment(**changes) -> dict:
    return {
        "presenting_complaint": "Low back pain for 3 weeks after lifting.",
        "history": "No previous episodes. No medication. Desk job.",
        "screen": "back_pain",
        "red_flags": screen(),
        "baseline_outcomes": [{"measure": "odi", "value": 34}, {"measure": "nprs", "value": 6}],
        "working_diagnosis": "Non-specific mechanical low back pain.",
        **changes,
    }


def write(api, therapist, booking, data):
    body = complete_note(booking, records=[massage_record()], initial_assessment=data)
    response = api(therapist.user).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_the_assessment_note_records_the_screen_and_signs(api, first_session, therapist):
    note = write(api, therapist, first_session, assessment())

    assert note["initial_assessment"]["screen"] == "back_pain"
    assert note["initial_assessment"]["red_flag_positive"] is False
    assert len(note["initial_assessment"]["red_flag_questions"]) == len(BACK_PAIN)
    assert api(therapist.user).post(f"{URL}{note['id']}/sign/").status_code == 200


def test_an_assessment_session_cannot_be_signed_without_its_assessment(
    api, first_session, therapist
):
    body = complete_note(first_session, records=[massage_record()])
    note_id = api(therapist.user).post(URL, body, format="json").json()["id"]

    response = api(therapist.user).post(f"{URL}{note_id}/sign/")

    assert response.status_code == 400
    assert "initial_assessment" in response.json()["error"]["details"]["missing"]


def test_every_red_flag_must_be_answered_and_not_asked_needs_a_reason(
    api, first_session, therapist
):
    flags = screen()
    del flags["night_pain"]
    flags["fever_unwell"] = {"answer": "not_asked"}
    note = write(api, therapist, first_session, assessment(red_flags=flags))

    response = api(therapist.user).post(f"{URL}{note['id']}/sign/")

    missing = response.json()["error"]["details"]["missing"]
    assert "initial_assessment.red_flags.night_pain" in missing
    assert "initial_assessment.red_flags.fever_unwell.note" in missing


@pytest.mark.parametrize(
    "bad",
    [
        {"screen": "toothache"},
        {"red_flags": {"thunderclap_onset": {"answer": "no"}}},  # a headache flag on a back screen
        {"red_flags": {"night_pain": {"answer": "maybe"}}},
        {"baseline_outcomes": [{"measure": "iq", "value": 3}]},
        {"referral": {"urgency": "whenever", "destination": "GP"}},
    ],
)
def test_a_bad_assessment_is_refused(api, first_session, therapist, bad):
    body = complete_note(
        first_session, records=[massage_record()], initial_assessment=assessment(**bad)
    )

    response = api(therapist.user).post(URL, body, format="json")

    assert response.status_code == 400, response.json()
    assert not InitialAssessment.objects.exists()


def test_a_positive_red_flag_needs_a_referral_and_blocks_the_plan_until_cleared(
    api, first_session, therapist, patient, clinic, massage
):
    note = write(
        api, therapist, first_session, assessment(red_flags=screen(saddle_anaesthesia=True))
    )
    assert note["initial_assessment"]["awaits_clearance"] is True
    unsigned = api(therapist.user).post(f"{URL}{note['id']}/sign/")
    assert "initial_assessment.referral" in unsigned.json()["error"]["details"]["missing"]

    plan = build_plan(patient, clinic, therapist, phase(components=[sessions(massage, 2)]))
    from sessionnotes.errors import RedFlagNotCleared

    with pytest.raises(RedFlagNotCleared):
        activate_plan(plan=plan, activated_by=therapist.user)
    refused = api(therapist.user).post(f"/api/v1/plans/{plan.pk}/activate/")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "red_flag_not_cleared"

    clear = f"{URL}{note['id']}/clear-red-flags/"
    early = api(therapist.user).post(clear, {"reasoning": "Seen in A&E."}, format="json")
    assert early.status_code == 400  # the referral is recorded first

    referral = {
        "urgency": "emergency_now",
        "destination": "Royal Derby ED",
        "notes": "Sent same day.",
    }
    patched = api(therapist.user).patch(
        f"{URL}{note['id']}/",
        {
            "initial_assessment": assessment(
                red_flags=screen(saddle_anaesthesia=True), referral=referral
            )
        },
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    assert api(therapist.user).post(f"{URL}{note['id']}/sign/").status_code == 200

    cleared = api(therapist.user).post(
        clear, {"reasoning": "MRI normal, CES excluded by the spinal team."}, format="json"
    )
    assert cleared.status_code == 200, cleared.json()
    assert cleared.json()["initial_assessment"]["awaits_clearance"] is False
    assert api(therapist.user).post(clear, {"reasoning": "again"}, format="json").status_code == 409

    plan = activate_plan(plan=plan, activated_by=therapist.user)
    assert plan.status == "active"


def test_a_negative_screen_does_not_block_activation(
    api, first_session, therapist, patient, clinic, massage
):
    write(api, therapist, first_session, assessment())
    plan = build_plan(patient, clinic, therapist, phase(components=[sessions(massage, 2)]))

    assert activate_plan(plan=plan, activated_by=therapist.user).status == "active"


def test_red_flags_are_cleared_only_by_the_care_team(
    api, first_session, therapist, receptionist, other_therapist
):
    note = write(api, therapist, first_session, assessment(red_flags=screen(cancer_history=True)))
    clear = f"{URL}{note['id']}/clear-red-flags/"

    assert api(receptionist).post(clear, {"reasoning": "x"}, format="json").status_code == 403
    assert (
        api(other_therapist.user).post(clear, {"reasoning": "x"}, format="json").status_code == 404
    )
    assert InitialAssessment.objects.get().awaits_clearance


def test_headache_and_neck_screens_are_available(api, first_session, therapist):
    from sessionnotes.red_flags import HEADACHE, NECK_PAIN

    flags = {f.code: {"answer": "no"} for f in HEADACHE}
    flags["thunderclap_onset"] = {"answer": "yes"}
    note = write(api, therapist, first_session, assessment(screen="headache", red_flags=flags))

    assert note["initial_assessment"]["red_flag_positive"] is True
    assert {f.code for f in NECK_PAIN} >= {
        "dizziness",
        "diplopia",
        "dysarthria",
        "dysphagia",
        "drop_attacks",
    }
