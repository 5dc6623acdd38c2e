"""A plan's status: activation with its safety checks, completion and discontinuation."""

import pytest

from booking.models import Booking, BookingStatus
from plans import services
from plans.models import PlanStatus, TreatmentPlan
from tests.plans.conftest import answers, build_plan, phase, screen_and_consent, sessions

pytestmark = pytest.mark.usefixtures("frozen_now")


def _post(api, user, plan, verb, body=None):
    return api(user).post(f"/api/v1/plans/{plan.pk}/{verb}/", body or {}, format="json")


def _screen(patient, clinic, therapist, acknowledge=False, consent=False, **flags):
    screening = services.record_screening(patient=patient, clinic=clinic, answers=answers(**flags))
    if acknowledge:
        services.acknowledge_precautions(
            screening=screening, acknowledged_by=therapist.user, note="Care"
        )
    if consent:
        services.record_consent(screening=screening, given_by="Pat", method="written", scope="Neck")


@pytest.mark.parametrize(
    ("screening", "code", "details"),
    [
        (None, "needling_screening_required", None),
        ({"lymphoedema_at_site": True}, "needling_contraindicated", ["lymphoedema_at_site"]),
        (
            {"anticoagulants": True, "consent": True},
            "needling_acknowledgement_required",
            ["anticoagulants"],
        ),
        ({}, "needling_consent_required", None),
    ],
)
def test_a_needling_plan_is_not_activated_until_the_patient_is_cleared(
    api, patient, clinic, therapist, needling, screening, code, details
):
    if screening is not None:
        _screen(patient, clinic, therapist, **screening)
    plan = build_plan(patient, clinic, therapist, phase("P", 2, [sessions(needling, 2)]))

    response = _post(api, therapist.user, plan, "activate")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    if details:
        # The therapist sees which contraindication or precaution stands in the way.
        assert next(iter(error["details"].values())) == details
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert plan.activated_at is None


def test_acknowledged_precautions_and_consent_let_the_plan_start(
    api, patient, clinic, therapist, needling
):
    screen_and_consent(patient, clinic, therapist.user, pregnancy=True)
    plan = build_plan(patient, clinic, therapist, phase("P", 2, [sessions(needling, 2)]))

    response = _post(api, therapist.user, plan, "activate")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "active"
    assert response.json()["needling"]["clearance"] == "cleared"


def test_a_plan_without_needling_starts_without_a_screening(
    api, patient, clinic, therapist, massage
):
    plan = build_plan(patient, clinic, therapist, phase("P", 2, [sessions(massage, 2)]))

    assert _post(api, therapist.user, plan, "activate").status_code == 200


def test_an_empty_plan_cannot_start(api, patient, clinic, therapist):
    plan = build_plan(patient, clinic, therapist, phase("Nothing yet", 2))

    response = _post(api, therapist.user, plan, "activate")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "plan_empty"
    assert TreatmentPlan.objects.get().status == PlanStatus.DRAFT


def test_only_legal_status_changes_are_allowed(api, patient, clinic, therapist, massage):
    plan = build_plan(patient, clinic, therapist, phase("P", 2, [sessions(massage, 2)]))

    completing_a_draft = _post(api, therapist.user, plan, "complete")
    services.activate_plan(plan=plan)
    activating_twice = _post(api, therapist.user, plan, "activate")

    for response in (completing_a_draft, activating_twice):
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "illegal_plan_transition"
    assert TreatmentPlan.objects.get().status == PlanStatus.ACTIVE


def test_discontinuing_cancels_the_plans_upcoming_bookings(
    api, patient, clinic, therapist, massage
):
    plan = build_plan(
        patient, clinic, therapist, phase("P", 2, [sessions(massage, 2)]), activate=True
    )
    services.confirm_schedule(plan=plan, booked_by=therapist.user, apply_policy=False)

    response = _post(api, therapist.user, plan, "discontinue", {"reason": "Moved away"})

    assert response.status_code == 200
    assert response.json()["status"] == "discontinued"
    assert response.json()["discontinued_reason"] == "Moved away"
    cancelled = Booking.objects.filter(patient=patient)
    assert set(cancelled.values_list("status", flat=True)) == {BookingStatus.CANCELLED}
    assert set(cancelled.values_list("cancellation_note", flat=True)) == {
        "Treatment plan discontinued."
    }
    again = api(therapist.user).post(
        f"/api/v1/plans/{plan.pk}/schedule/", {"confirm": True}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "plan_not_active"


def test_a_plan_with_sessions_booked_ahead_cannot_be_completed(
    api, patient, clinic, therapist, massage
):
    plan = build_plan(
        patient, clinic, therapist, phase("P", 2, [sessions(massage, 2)]), activate=True
    )
    services.confirm_schedule(plan=plan, booked_by=therapist.user, apply_policy=False)

    response = _post(api, therapist.user, plan, "complete")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "plan_has_upcoming_sessions"
    assert len(error["details"]["bookings"]) == 2
    assert TreatmentPlan.objects.get().status == PlanStatus.ACTIVE
    assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() == 2


def test_a_closed_plan_does_not_change(api, patient, clinic, therapist, massage):
    plan = build_plan(
        patient, clinic, therapist, phase("P", 2, [sessions(massage, 2)]), activate=True
    )
    services.complete_plan(plan=plan)

    response = api(therapist.user).patch(
        f"/api/v1/plans/{plan.pk}/", {"title": "New"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "plan_closed"
    assert TreatmentPlan.objects.get().title == ""
