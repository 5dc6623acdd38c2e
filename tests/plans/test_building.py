"""Building and tailoring plans: templates, preferences, phases, sessions and exercises."""

from datetime import date

import pytest

from booking import services as booking_services
from plans import services
from plans.models import (
    ExercisePrescription,
    PlanPhase,
    PlanSession,
    PlanTemplate,
    SessionComponent,
    TreatmentPlan,
)
from tests.factories import TreatmentFactory
from tests.plans.conftest import build_plan, phase, sessions

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def neck_template(chin_tuck):
    """A shared template: needling and massage to settle pain, then exercise rehab."""
    return services.create_template(
        name="Myofascial neck pain",
        condition="myofascial_pain",
        phases=[
            services.TemplatePhaseSpec(
                name="Settle pain",
                weeks=2,
                sessions=(
                    services.TemplateSessionSpec(modality="dry_needling", sessions=2),
                    services.TemplateSessionSpec(modality="sports_massage", sessions=2),
                ),
                exercises=(services.PrescriptionSpec(exercise=chin_tuck, days_per_week=5),),
            ),
            services.TemplatePhaseSpec(
                name="Restore movement",
                weeks=2,
                sessions=(services.TemplateSessionSpec("exercise_rehab", 4, per_week=2),),
            ),
        ],
    )


def _create(api, user, **body):
    return api(user).post("/api/v1/plans/", body, format="json")


def _modalities(plan):
    return sorted(
        SessionComponent.objects.filter(phase__plan=plan).values_list(
            "treatment__modality", "substituted_for"
        )
    )


def test_a_plan_from_a_template_copies_phases_sessions_and_exercises(
    assessed, api, patient, therapist, needling, massage, rehab, neck_template
):
    response = _create(
        api, therapist.user, patient=patient.pk, condition="neck_pain", template=neck_template.pk
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["title"] == "Myofascial neck pain"
    assert body["lead_therapist"] == therapist.pk
    assert [p["name"] for p in body["phases"]] == ["Settle pain", "Restore movement"]
    assert [p["start_week"] for p in body["phases"]] == [1, 3]
    assert body["session_counts"]["to_book"] == 8
    plan = TreatmentPlan.objects.get()
    assert _modalities(plan) == [
        ("dry_needling", ""),
        ("exercise_rehab", ""),
        ("sports_massage", ""),
    ]
    prescription = ExercisePrescription.objects.get(phase__plan=plan)
    assert (prescription.sets, prescription.reps, prescription.days_per_week) == (3, 10, 5)
    # A copy: tailoring the plan leaves the template alone.
    services.remove_phase(phase=PlanPhase.objects.get(plan=plan, name="Restore movement"))
    assert neck_template.phases.count() == 2


def test_a_patient_who_avoids_needles_is_offered_the_alternative(
    assessed, api, patient, therapist, needling, massage, rehab, neck_template
):
    response = _create(
        api,
        therapist.user,
        patient=patient.pk,
        condition="neck_pain",
        template=neck_template.pk,
        preferences={"avoid_modalities": ["dry_needling"], "notes": "Hates needles"},
    )

    assert response.status_code == 201, response.json()
    plan = TreatmentPlan.objects.get()
    assert _modalities(plan) == [
        ("exercise_rehab", ""),
        ("sports_massage", ""),
        ("sports_massage", "dry_needling"),
    ]
    assert response.json()["preferences"]["avoid_modalities"] == ["dry_needling"]


def test_low_pain_tolerance_swaps_needling_for_its_gentler_alternative(
    patient, clinic, therapist, needling, massage, rehab, neck_template
):
    plan = services.create_plan(
        patient=patient,
        clinic=clinic,
        lead_therapist=therapist,
        condition="neck_pain",
        template=neck_template,
        preferences=services.Preferences(pain_tolerance="low"),
    )

    assert ("sports_massage", "dry_needling") in _modalities(plan)
    assert all(modality != "dry_needling" for modality, _ in _modalities(plan))


def test_a_template_the_clinic_cannot_deliver_is_refused_and_nothing_written(
    assessed, api, patient, therapist, massage, neck_template
):
    response = _create(
        api, therapist.user, patient=patient.pk, condition="neck_pain", template=neck_template.pk
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "no_treatment_for_modality"
    assert error["details"]["modalities"] == ["dry_needling", "exercise_rehab"]
    assert not TreatmentPlan.objects.exists()
    assert not PlanPhase.objects.exists()


def test_a_hand_built_plan_with_too_many_sessions_for_its_phase_is_refused(
    assessed, api, patient, therapist, massage
):
    response = _create(
        api,
        therapist.user,
        patient=patient.pk,
        condition="muscle_strain",
        phases=[
            {
                "name": "Settle",
                "weeks": 2,
                "components": [{"treatment": massage.pk, "sessions": 3, "per_week": 1}],
            }
        ],
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many_sessions_for_phase"
    assert not TreatmentPlan.objects.exists()


def test_a_hand_built_plan_is_created_with_goals_and_exercise(
    assessed, api, patient, therapist, massage, chin_tuck
):
    response = _create(
        api,
        therapist.user,
        patient=patient.pk,
        condition="neck_pain",
        start_date="2027-03-08",
        goals=[
            {"description": "Pain at most 2/10", "measure": "nprs", "target_value": "2"},
            {"description": "Check blind spot when driving"},
        ],
        phases=[
            {
                "name": "Settle",
                "weeks": 2,
                "components": [{"treatment": massage.pk, "sessions": 2}],
                "prescriptions": [{"exercise": chin_tuck.pk, "hold_seconds": 5, "reps": None}],
            }
        ],
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert [g["measure"] for g in body["goals"]] == ["nprs", ""]
    [prescription] = body["phases"][0]["prescriptions"]
    assert prescription["exercise_name"] == "Chin tuck"
    assert prescription["hold_seconds"] == 5
    assert body["end_date"] == "2027-03-21"


def test_needling_is_not_added_for_a_patient_who_avoids_it(
    api, patient, clinic, therapist, needling, massage
):
    plan = build_plan(
        patient,
        clinic,
        therapist,
        phase("P", 2, [sessions(massage, 2)]),
        preferences=services.Preferences(avoid_modalities=("dry_needling",)),
    )
    phase_id = plan.phases.get().pk

    response = api(therapist.user).post(
        f"/api/v1/plans/{plan.pk}/components/",
        {"phase": phase_id, "treatment": needling.pk, "sessions": 1},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "against_patient_preference"
    assert SessionComponent.objects.filter(treatment=needling).count() == 0


def test_needling_added_to_an_active_plan_needs_the_patients_clearance(
    api, patient, clinic, therapist, needling, massage
):
    plan = build_plan(
        patient, clinic, therapist, phase("P", 2, [sessions(massage, 2)]), activate=True
    )

    response = api(therapist.user).post(
        f"/api/v1/plans/{plan.pk}/components/",
        {"phase": plan.phases.get().pk, "treatment": needling.pk, "sessions": 2},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "needling_screening_required"
    assert PlanSession.objects.filter(plan=plan).count() == 2


def test_fewer_sessions_drop_unbooked_ones_and_never_booked_ones(
    api, patient, clinic, therapist, massage
):
    plan = build_plan(
        patient, clinic, therapist, phase("P", 3, [sessions(massage, 3)]), activate=True
    )
    services.confirm_schedule(plan=plan, booked_by=therapist.user, apply_policy=False)
    component = SessionComponent.objects.get(phase__plan=plan)
    last = PlanSession.objects.get(component=component, sequence=3)
    booking_services.cancel_booking(booking=last.booking, apply_policy=False)
    url = f"/api/v1/plans/{plan.pk}/components/{component.pk}/"

    assert api(therapist.user).patch(url, {"sessions": 2}, format="json").status_code == 200
    refused = api(therapist.user).patch(url, {"sessions": 1}, format="json")

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "sessions_already_booked"
    assert sorted(
        PlanSession.objects.filter(component=component).values_list("sequence", flat=True)
    ) == [1, 2]
    assert all(s.booking.is_active for s in PlanSession.objects.filter(component=component))


def test_a_booked_phase_cannot_be_removed(api, patient, clinic, therapist, massage):
    plan = build_plan(
        patient, clinic, therapist, phase("P", 2, [sessions(massage, 2)]), activate=True
    )
    services.confirm_schedule(plan=plan, booked_by=therapist.user, apply_policy=False)
    phase_id = plan.phases.get().pk

    response = api(therapist.user).delete(f"/api/v1/plans/{plan.pk}/phases/{phase_id}/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "sessions_already_booked"
    assert PlanPhase.objects.filter(pk=phase_id).exists()


def test_a_logged_exercise_is_stopped_rather_than_removed(
    api, patient, clinic, therapist, chin_tuck
):
    plan = build_plan(
        patient,
        clinic,
        therapist,
        phase("P", 2, prescriptions=[services.PrescriptionSpec(exercise=chin_tuck)]),
        start_date=date(2027, 2, 22),
        activate=True,
    )
    prescription = ExercisePrescription.objects.get(phase__plan=plan)
    services.log_exercise(
        plan=plan, prescription=prescription, performed_on=date(2027, 2, 28), sets_done=3
    )
    url = f"/api/v1/plans/{plan.pk}/prescriptions/{prescription.pk}/"

    refused = api(therapist.user).delete(url)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "prescription_has_logs"
    stopped = api(therapist.user).patch(url, {"stopped_on": "2027-03-01"}, format="json")
    assert stopped.status_code == 200
    prescription.refresh_from_db()
    assert prescription.stopped_on == date(2027, 3, 1)


def test_the_start_date_moves_only_while_the_plan_is_a_draft(
    api, patient, clinic, therapist, massage
):
    plan = build_plan(patient, clinic, therapist, phase("P", 2, [sessions(massage, 2)]))
    url = f"/api/v1/plans/{plan.pk}/"
    assert (
        api(therapist.user).patch(url, {"start_date": "2027-03-15"}, format="json").status_code
        == 200
    )
    services.activate_plan(plan=plan)

    response = api(therapist.user).patch(url, {"start_date": "2027-03-22"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "plan_already_active"
    plan.refresh_from_db()
    assert plan.start_date == date(2027, 3, 15)


def test_a_newly_avoided_modality_is_refused_while_its_sessions_are_to_come(
    api, patient, clinic, therapist, needling, massage, cleared
):
    plan = build_plan(
        patient, clinic, therapist, phase("P", 2, [sessions(needling, 2)]), activate=True
    )

    response = api(therapist.user).patch(
        f"/api/v1/plans/{plan.pk}/",
        {"preferences": {"avoid_modalities": ["dry_needling"]}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "against_patient_preference"
    plan.refresh_from_db()
    assert plan.avoid_modalities == []


def test_preferences_and_goals_are_tailored_through_the_api(
    api, patient, clinic, therapist, massage
):
    plan = build_plan(patient, clinic, therapist, phase("P", 2, [sessions(massage, 2)]))
    client = api(therapist.user)

    patched = client.patch(
        f"/api/v1/plans/{plan.pk}/",
        {"preferences": {"preferred_weekdays": [3, 1, 1], "preferred_time_from": "17:00"}},
        format="json",
    )
    goal = client.post(
        f"/api/v1/plans/{plan.pk}/goals/",
        {
            "description": "Turn head fully",
            "measure": "rom",
            "label": "Rotation right",
            "target_value": 70,
        },
        format="json",
    )
    bad_goal = client.post(
        f"/api/v1/plans/{plan.pk}/goals/",
        {"description": "Impossible", "measure": "nprs", "target_value": 12},
        format="json",
    )

    assert patched.status_code == 200
    assert patched.json()["preferences"]["preferred_weekdays"] == [1, 3]
    assert goal.status_code == 201
    assert bad_goal.status_code == 400
    assert bad_goal.json()["error"]["code"] == "value_out_of_range"
    assert plan.goals.count() == 1


def test_templates_are_created_for_a_clinic_by_its_staff(
    api, clinic, therapist, patient, chin_tuck
):
    body = {
        "clinic": clinic.pk,
        "name": "Achilles loading",
        "condition": "tendinopathy",
        "phases": [
            {
                "name": "Isometrics",
                "weeks": 2,
                "sessions": [{"modality": "exercise_rehab", "sessions": 2}],
                "exercises": [{"exercise": chin_tuck.pk}],
            }
        ],
    }

    created = api(therapist.user).post("/api/v1/plan-templates/", body, format="json")
    again = api(therapist.user).post("/api/v1/plan-templates/", body, format="json")
    shared = api(therapist.user).post(
        "/api/v1/plan-templates/", {**body, "clinic": None}, format="json"
    )

    assert created.status_code == 201, created.json()
    assert created.json()["phases"][0]["sessions"][0]["modality"] == "exercise_rehab"
    assert again.status_code == 400
    assert shared.status_code == 403
    assert PlanTemplate.objects.count() == 1
    assert api(patient.user).get("/api/v1/plan-templates/").status_code == 403


def test_a_templates_own_alternative_is_preferred_to_the_default(
    patient, clinic, therapist, massage
):
    graston = TreatmentFactory(
        clinic=clinic, name="Graston", modality="iastm", required_qualifications=[]
    )
    template = services.create_template(
        name="Calf trigger points",
        condition="myofascial_pain",
        phases=[
            services.TemplatePhaseSpec(
                name="Release",
                sessions=(
                    services.TemplateSessionSpec(
                        "dry_needling", 2, alternative_modality="iastm", min_gap_hours=72
                    ),
                ),
            )
        ],
    )

    plan = services.create_plan(
        patient=patient,
        clinic=clinic,
        lead_therapist=therapist,
        condition="myofascial_pain",
        template=template,
        preferences=services.Preferences(avoid_modalities=("dry_needling",)),
    )

    component = SessionComponent.objects.get(phase__plan=plan)
    assert (component.treatment, component.substituted_for) == (graston, "dry_needling")
    # The template's gap was for needling; Graston gets its own default.
    assert component.min_gap_hours == 48


def test_a_phase_cannot_shrink_below_its_sessions(api, patient, clinic, therapist, massage):
    plan = build_plan(patient, clinic, therapist, phase("P", 3, [sessions(massage, 3)]))
    phase_id = plan.phases.get().pk

    response = api(therapist.user).patch(
        f"/api/v1/plans/{plan.pk}/phases/{phase_id}/", {"weeks": 2}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many_sessions_for_phase"
    assert PlanPhase.objects.get(pk=phase_id).weeks == 3


def test_a_goal_is_removed(api, patient, clinic, therapist, massage):
    plan = build_plan(
        patient,
        clinic,
        therapist,
        phase("P", 2, [sessions(massage, 2)]),
        goals=[services.GoalSpec("Sleep through the night")],
    )
    goal = plan.goals.get()

    response = api(therapist.user).delete(f"/api/v1/plans/{plan.pk}/goals/{goal.pk}/")

    assert response.status_code == 204
    assert not plan.goals.exists()
    assert (
        api(therapist.user).delete(f"/api/v1/plans/{plan.pk}/goals/{goal.pk}/").status_code == 404
    )
