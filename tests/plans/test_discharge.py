"""Completing a plan with a discharge summary: how the patient did against their goals, advice to
keep going and the follow-up, which the patient then reads."""

import pytest

from plans import errors, services
from plans.models import PlanStatus
from tests.plans.conftest import build_plan, phase, sessions

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def plan(patient, clinic, therapist, massage, assessed):
    return build_plan(
        patient, clinic, therapist, phase("Settle pain", 2, [sessions(massage, 2)]), activate=True
    )


def test_completing_with_a_summary_stores_it(plan, therapist):
    summary = services.DischargeSummary(
        "  Your pain went from 7 to 2.  ", "Keep stretching.", "A review in six weeks."
    )

    services.complete_plan(plan=plan, completed_by=therapist.user, summary=summary)

    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED
    assert (plan.discharge_outcome, plan.discharge_advice, plan.discharge_follow_up) == (
        "Your pain went from 7 to 2.",
        "Keep stretching.",
        "A review in six weeks.",
    )


def test_a_summary_without_the_outcome_is_refused_and_the_plan_stays_active(plan, therapist):
    with pytest.raises(errors.PlanRuleBroken):
        services.complete_plan(
            plan=plan, completed_by=therapist.user, summary=services.DischargeSummary("  ")
        )

    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    assert plan.discharge_outcome == ""


def test_the_api_completes_with_the_summary_and_shows_it(api, plan, therapist, patient_user):
    response = api(therapist.user).post(
        f"/api/v1/plans/{plan.pk}/complete/",
        {"outcome": "Back to running.", "follow_up": "Call if it flares."},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["discharge"] == {
        "outcome": "Back to running.",
        "advice": "",
        "follow_up": "Call if it flares.",
    }
    own = api(patient_user).get(f"/api/v1/plans/{plan.pk}/").json()
    assert own["discharge"]["outcome"] == "Back to running."


def test_the_api_still_completes_without_a_summary(api, plan, therapist):
    response = api(therapist.user).post(f"/api/v1/plans/{plan.pk}/complete/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["discharge"] is None


def test_reception_does_not_see_the_discharge_summary(api, plan, therapist, receptionist):
    services.complete_plan(plan=plan, summary=services.DischargeSummary("Back to running."))

    seen = api(receptionist).get(f"/api/v1/plans/{plan.pk}/").json()

    assert seen["discharge"] is None
    assert seen["care_team"] is None
