"""Outcome measures with change from baseline and MCID, the chart, exercise logs, adherence."""

from datetime import date
from decimal import Decimal

import pytest

from plans import services
from plans.models import ExerciseLog, ExercisePrescription, OutcomeRecord
from plans.selectors import plan_adherence, plan_progress
from tests.plans.conftest import build_plan, phase, sessions

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def plan(patient, clinic, therapist, massage, chin_tuck):
    """Pat's active neck plan, started a fortnight ago: massage, and chin tucks 3 days a week."""
    return build_plan(
        patient,
        clinic,
        therapist,
        phase(
            "Settle pain",
            3,
            [sessions(massage, 2)],
            [services.PrescriptionSpec(exercise=chin_tuck, days_per_week=3)],
        ),
        start_date=date(2027, 2, 15),
        goals=[services.GoalSpec("Pain at most 2/10", measure="nprs", target_value=Decimal(2))],
        activate=True,
    )


def _record(plan, measure, value, on, **kwargs):
    return services.record_outcome(
        plan=plan, measure=measure, value=Decimal(value), recorded_on=on, **kwargs
    )


def test_progress_reports_change_from_baseline_and_the_mcid(api, plan, therapist):
    _record(plan, "nprs", 7, date(2027, 2, 15))
    _record(plan, "nprs", 6, date(2027, 2, 22))
    _record(plan, "ndi", 30, date(2027, 2, 15))
    _record(plan, "ndi", 24, date(2027, 2, 22))

    body = api(therapist.user).get(f"/api/v1/plans/{plan.pk}/progress/").json()
    by_measure = {m["measure"]: m for m in body["measures"]}
    assert by_measure["nprs"]["change"] == "-1.00"
    assert by_measure["nprs"]["mcid_reached"] is False
    assert by_measure["ndi"]["improvement"] == "6.00"
    assert by_measure["ndi"]["mcid_reached"] is False

    _record(plan, "nprs", 4, date(2027, 3, 1))
    nprs = next(
        m
        for m in api(therapist.user).get(f"/api/v1/plans/{plan.pk}/progress/").json()["measures"]
        if m["measure"] == "nprs"
    )
    assert nprs["baseline"]["value"] == "7.00"
    assert nprs["latest"]["value"] == "4.00"
    assert nprs["change"] == "-3.00"
    assert nprs["percent_change"] == "-42.9"
    assert nprs["mcid"] == "2.00"
    assert nprs["mcid_threshold"] == "5.00"
    assert nprs["mcid_reached"] is True
    assert nprs["target"] == "2.00"
    assert nprs["target_reached"] is False
    assert [p["change"] for p in nprs["points"]] == ["0.00", "-1.00", "-3.00"]


def test_a_relative_change_of_30_percent_counts_for_pain(plan):
    _record(plan, "nprs", 3, date(2027, 2, 15))
    _record(plan, "nprs", 2, date(2027, 3, 1))

    [nprs] = plan_progress(plan)
    assert nprs.improvement == 1
    assert nprs.mcid_reached is True


def test_questionnaire_items_are_scored(plan, patient):
    odi = services.record_outcome(plan=plan, measure="odi", items=[2] * 10, by_patient=True)
    psfs = services.record_outcome(plan=plan, measure="psfs", items=[3, 4, 5], by_patient=True)

    assert odi.value == Decimal("40.00")
    assert psfs.value == Decimal("4.00")
    assert odi.reported_by_patient is True


def test_patients_record_questionnaires_but_not_range_of_motion(api, plan, patient):
    client = api(patient.user)
    url = f"/api/v1/plans/{plan.pk}/outcomes/"

    ok = client.post(url, {"measure": "nprs", "value": 5}, format="json")
    refused = client.post(url, {"measure": "rom", "value": 60, "label": "Rotation"}, format="json")

    assert ok.status_code == 201
    assert ok.json()["reported_by_patient"] is True
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "measure_not_patient_reported"
    assert OutcomeRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"measure": "ndi", "value": 60}, "value_out_of_range"),
        ({"measure": "odi", "items": [6, 1, 1]}, "value_out_of_range"),
        ({"measure": "rom", "value": 60}, "plan_rule_broken"),
        ({"measure": "nprs", "value": 3, "recorded_on": "2027-03-02"}, "date_outside_plan"),
        ({"measure": "nprs"}, "invalid"),
    ],
)
def test_bad_scores_are_refused_and_nothing_is_written(api, plan, therapist, body, code):
    response = api(therapist.user).post(f"/api/v1/plans/{plan.pk}/outcomes/", body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not OutcomeRecord.objects.exists()


def test_the_chart_is_an_svg_line_chart_with_the_mcid_line(api, plan, therapist):
    _record(plan, "rom", 40, date(2027, 2, 15), label="Rotation <right>")
    _record(plan, "rom", 55, date(2027, 3, 1), label="Rotation <right>")

    response = api(therapist.user).get(f"/api/v1/plans/{plan.pk}/progress/chart/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith("<svg ")
    assert "<polyline" in svg
    assert "MCID 50" in svg
    assert "Rotation &lt;right&gt;" in svg
    assert "<right>" not in svg


def test_the_chart_without_scores_says_so(api, plan, therapist):
    response = api(therapist.user).get(
        f"/api/v1/plans/{plan.pk}/progress/chart/", HTTP_ACCEPT="image/svg+xml"
    )

    assert response.status_code == 200
    assert "No outcome measures recorded yet." in response.content.decode()


def test_reception_gets_no_chart_even_when_asking_for_svg(api, plan, receptionist):
    response = api(receptionist).get(
        f"/api/v1/plans/{plan.pk}/progress/chart/", HTTP_ACCEPT="image/svg+xml"
    )

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_in_care_team"


def test_adherence_counts_logged_bouts_up_to_what_was_prescribed(api, plan, patient):
    prescription = ExercisePrescription.objects.get(phase__plan=plan)
    client = api(patient.user)
    # Week 1 (15-21 Feb): four bouts of a 3-a-week exercise; week 2 (22-28 Feb): one.
    for day in ("2027-02-15", "2027-02-16", "2027-02-16", "2027-02-18", "2027-02-24"):
        response = client.post(
            f"/api/v1/plans/{plan.pk}/exercise-logs/",
            {"prescription": prescription.pk, "performed_on": day, "sets_done": 3, "pain": 2},
            format="json",
        )
        assert response.status_code == 201, response.json()

    weeks = client.get(f"/api/v1/plans/{plan.pk}/adherence/").json()["weeks"]

    assert [(w["week"], w["prescribed"], w["completed"], w["percent"]) for w in weeks] == [
        (1, 3, 3, 100),
        (2, 3, 1, 33),
        (3, 3, 0, 0),
    ]
    assert [w["meets_target"] for w in weeks] == [True, False, None]
    assert weeks[2]["in_progress"] is True
    diary = client.get(f"/api/v1/plans/{plan.pk}/exercise-logs/").json()
    assert diary["count"] == 5
    assert diary["results"][0]["performed_on"] == "2027-02-24"


@pytest.mark.parametrize("day", ["2027-03-02", "2027-02-14"])
def test_exercise_cannot_be_logged_for_the_future_or_before_the_plan(api, plan, patient, day):
    prescription = ExercisePrescription.objects.get(phase__plan=plan)

    response = api(patient.user).post(
        f"/api/v1/plans/{plan.pk}/exercise-logs/",
        {"prescription": prescription.pk, "performed_on": day, "sets_done": 3},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "date_outside_plan"
    assert not ExerciseLog.objects.exists()


def test_exercise_is_logged_only_while_the_plan_is_active(api, plan, patient, therapist):
    services.complete_plan(plan=plan)
    prescription = ExercisePrescription.objects.get(phase__plan=plan)

    response = api(patient.user).post(
        f"/api/v1/plans/{plan.pk}/exercise-logs/",
        {"prescription": prescription.pk, "sets_done": 3},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "plan_not_active"
    assert not ExerciseLog.objects.exists()


def test_adherence_stops_counting_a_stopped_exercise(plan):
    prescription = ExercisePrescription.objects.get(phase__plan=plan)
    services.change_prescription(prescription=prescription, stopped_on=date(2027, 2, 20))

    weeks = plan_adherence(plan, today=date(2027, 3, 7))

    assert [w.prescribed for w in weeks] == [3, 0, 0]
