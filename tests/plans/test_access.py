"""Who sees and does what: therapists, the patient, reception, another clinic's staff."""

import pytest

from plans.models import Exercise, TreatmentPlan
from tests.factories import PatientFactory
from tests.plans.conftest import build_plan, phase, sessions

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def plan(patient, clinic, therapist, massage):
    return build_plan(
        patient, clinic, therapist, phase("Settle pain", 2, [sessions(massage, 2)]), activate=True
    )


def test_another_clinics_staff_see_nothing_and_cannot_create(
    api, plan, patient, other_therapist, other_receptionist
):
    for user in (other_therapist.user, other_receptionist):
        client = api(user)
        assert client.get("/api/v1/plans/").json()["count"] == 0
        assert client.get(f"/api/v1/plans/{plan.pk}/").status_code == 404
        assert (
            client.post(f"/api/v1/plans/{plan.pk}/schedule/", {}, format="json").status_code == 404
        )
    created = api(other_therapist.user).post(
        "/api/v1/plans/", {"patient": patient.pk, "condition": "neck_pain"}, format="json"
    )
    assert created.status_code == 400
    assert created.json()["error"]["fields"] == {"patient": [f"No patient with id {patient.pk}."]}
    assert TreatmentPlan.objects.count() == 1


def test_a_therapist_cannot_plan_for_a_patient_of_another_clinic(api, therapist, other_clinic):
    stranger = PatientFactory(clinic=other_clinic)
    client = api(therapist.user)

    response = client.post(
        "/api/v1/plans/", {"patient": stranger.pk, "condition": "neck_pain"}, format="json"
    )
    unknown = client.post(
        "/api/v1/plans/", {"patient": stranger.pk + 100, "condition": "neck_pain"}, format="json"
    )

    # The same answer as for an id that does not exist: patient ids cannot be probed.
    assert response.status_code == unknown.status_code == 400
    assert response.json()["error"]["message"] == f"patient: No patient with id {stranger.pk}."
    assert not TreatmentPlan.objects.exists()


def test_the_patient_reads_their_active_plan_but_not_drafts_and_cannot_change_it(
    api, plan, patient, clinic, therapist, massage
):
    draft = build_plan(patient, clinic, therapist, phase("Later", 2, [sessions(massage, 1)]))
    client = api(patient.user)

    listed = client.get("/api/v1/plans/").json()
    detail = client.get(f"/api/v1/plans/{plan.pk}/").json()

    assert [p["id"] for p in listed["results"]] == [plan.pk]
    assert client.get(f"/api/v1/plans/{draft.pk}/").status_code == 404
    assert detail["clinical_access"] is True
    assert detail["condition"] == "neck_pain"
    assert (
        client.patch(f"/api/v1/plans/{plan.pk}/", {"title": "Mine"}, format="json").status_code
        == 403
    )
    assert client.post(f"/api/v1/plans/{plan.pk}/complete/", {}, format="json").status_code == 403
    assert TreatmentPlan.objects.get(pk=plan.pk).title == ""


def test_reception_sees_the_scheduling_side_only(api, plan, receptionist):
    client = api(receptionist)

    detail = client.get(f"/api/v1/plans/{plan.pk}/").json()

    assert detail["clinical_access"] is False
    for field in (
        "title",
        "condition",
        "condition_notes",
        "preferences",
        "goals",
        "phases",
        "needling",
    ):
        assert detail[field] is None, field
    assert len(detail["sessions"]) == 2
    assert detail["patient_name"] == "Pat Jones"
    for path in ("progress/", "adherence/", "exercise-logs/", "outcomes/"):
        assert client.get(f"/api/v1/plans/{plan.pk}/{path}").status_code == 403, path
    assert (
        client.patch(f"/api/v1/plans/{plan.pk}/", {"title": "x"}, format="json").status_code == 403
    )
    booked = client.post(f"/api/v1/plans/{plan.pk}/schedule/", {"confirm": True}, format="json")
    assert booked.status_code == 200


def test_plans_are_filtered_by_status_and_patient(api, plan, patient, clinic, therapist, massage):
    build_plan(patient, clinic, therapist, phase("Later", 2, [sessions(massage, 1)]))
    client = api(therapist.user)

    active = client.get("/api/v1/plans/?status=active").json()
    both = client.get(f"/api/v1/plans/?status=active&status=draft&patient={patient.pk}").json()

    assert [p["id"] for p in active["results"]] == [plan.pk]
    assert both["count"] == 2


def test_therapists_add_their_clinics_exercises_but_not_to_the_shared_library(
    api, clinic, therapist, receptionist, patient, chin_tuck
):
    body = {
        "name": "Wall angel",
        "body_region": "thoracic",
        "purpose": "mobility",
        "instructions": "Back to the wall; slide the arms up and down.",
        "default_reps": 10,
    }

    own = api(therapist.user).post(
        "/api/v1/exercises/", {**body, "clinic": clinic.pk}, format="json"
    )
    shared = api(therapist.user).post("/api/v1/exercises/", body, format="json")
    by_reception = api(receptionist).post(
        "/api/v1/exercises/", {**body, "name": "Other", "clinic": clinic.pk}, format="json"
    )
    no_dose = api(therapist.user).post(
        "/api/v1/exercises/",
        {**body, "name": "No dose", "clinic": clinic.pk, "default_reps": None},
        format="json",
    )

    assert own.status_code == 201, own.json()
    assert shared.status_code == 403
    assert by_reception.status_code == 403
    assert no_dose.status_code == 400
    assert set(Exercise.objects.values_list("name", flat=True)) == {"Chin tuck", "Wall angel"}
    seen = {e["name"] for e in api(patient.user).get("/api/v1/exercises/").json()["results"]}
    assert seen == {"Chin tuck", "Wall angel"}


def test_the_schema_documents_the_plan_endpoints(api):
    schema = api(None).get("/api/v1/schema/")

    assert schema.status_code == 200
    text = schema.content.decode()
    for path in (
        "/api/v1/plans/{id}/schedule/",
        "/api/v1/plans/{id}/progress/chart/",
        "/api/v1/plan-templates/",
        "/api/v1/exercises/",
        "/api/v1/screenings/",
    ):
        assert path in text


def test_the_plan_list_reads_a_fixed_number_of_queries(
    api, patient, clinic, therapist, massage, django_assert_max_num_queries
):
    for _ in range(3):
        build_plan(patient, clinic, therapist, phase("P", 2, [sessions(massage, 2)]))
    client = api(therapist.user)

    # Eleven: the care team is one prefetch for the whole page, like goals and phases.
    with django_assert_max_num_queries(11):
        response = client.get("/api/v1/plans/")

    assert response.json()["count"] == 3
