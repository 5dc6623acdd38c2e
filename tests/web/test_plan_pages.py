"""A patient's treatment plan: home exercises to tick off, weekly adherence, progress chart."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from plans import services as plans
from plans.models import ExerciseLog
from tests.conftest import NOW
from tests.factories import PatientFactory, UserFactory
from tests.plans.factories import ExerciseFactory


@pytest.fixture
def plan(patient, clinic, therapist, frozen_now):
    """Pat's active neck plan that started last Monday: chin tucks twice a day, every day."""
    chin_tuck = ExerciseFactory(name="Chin tuck", instructions="Sit tall and draw your chin in.")
    with time_machine.travel(NOW - timedelta(days=7), tick=False):
        plan = plans.create_plan(
            patient=patient,
            clinic=clinic,
            lead_therapist=therapist,
            condition="neck_pain",
            title="Neck rehab",
            start_date=date(2027, 2, 22),
            created_by=therapist.user,
            phases=[
                plans.PhaseSpec(
                    name="Settle pain",
                    weeks=4,
                    prescriptions=(plans.PrescriptionSpec(exercise=chin_tuck, times_per_day=2),),
                )
            ],
        )
        plans.activate_plan(plan=plan, activated_by=therapist.user)
        plans.record_outcome(
            plan=plan, measure="nprs", value=Decimal(7), recorded_by=therapist.user
        )
    plans.record_outcome(plan=plan, measure="nprs", value=Decimal(4), recorded_by=therapist.user)
    return plan


@pytest.mark.django_db
def test_my_appointments_shows_the_active_plan(browser_for, patient, plan):
    page = browser_for(patient.user).get("/appointments/").content.decode()
    assert "Neck rehab" in page
    assert "This week: 0 of 14 home exercises done." in page
    assert f"/appointments/plans/{plan.pk}/" in page


@pytest.mark.django_db
def test_the_plan_page_lists_this_weeks_exercises_and_a_progress_chart(browser_for, patient, plan):
    page = browser_for(patient.user).get(f"/appointments/plans/{plan.pk}/").content.decode()
    assert "Chin tuck" in page
    assert "3 sets of 10 reps" in page
    assert "2 times a day, 7 days a week" in page
    assert "Sit tall and draw your chin in." in page
    assert "0 of 14 this week" in page
    assert "<svg" in page
    assert "Week 1</span>" in page


@pytest.mark.django_db
def test_ticking_off_an_exercise_logs_it_for_today(browser_for, patient, plan):
    prescription = plan.phases.get().prescriptions.get()
    browser = browser_for(patient.user)
    response = browser.post(
        f"/appointments/plans/{plan.pk}/exercises/{prescription.pk}/done/", {"pain": "3"}
    )
    assert response.status_code == 302
    log = ExerciseLog.objects.get()
    assert log.performed_on == date(2027, 3, 1)
    assert (log.sets_done, log.reps_done, log.pain) == (3, 10, 3)
    assert log.logged_by == patient.user
    assert "1 of 14 this week" in browser.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_another_patients_plan_is_not_found(browser_for, plan, clinic, frozen_now):
    stranger = PatientFactory(clinic=clinic, user=UserFactory(username="stranger"))
    browser = browser_for(stranger.user)
    assert browser.get(f"/appointments/plans/{plan.pk}/").status_code == 404
    prescription = plan.phases.get().prescriptions.get()
    browser.post(f"/appointments/plans/{plan.pk}/exercises/{prescription.pk}/done/")
    assert not ExerciseLog.objects.exists()


@pytest.mark.django_db
def test_a_plan_still_to_begin_says_starts_not_started(browser_for, patient, plan):
    type(plan).objects.filter(pk=plan.pk).update(start_date=date(2027, 3, 8))
    page = browser_for(patient.user).get(f"/appointments/plans/{plan.pk}/").content.decode()
    assert "starts 8 March 2027" in page
    assert "started 8 March" not in page


@pytest.mark.django_db
def test_progress_is_said_in_plain_words_without_jargon(browser_for, patient, plan, therapist):
    plans.record_outcome(plan=plan, measure="nprs", value=Decimal(3), recorded_by=therapist.user)
    page = browser_for(patient.user).get(f"/appointments/plans/{plan.pk}/").content.decode()
    words = page[page.index('class="progress-words"') : page.index('class="chart chart-scroll"')]
    assert "Pain down from 7 to 3: a real improvement." in words
    assert "NPRS" not in words
    assert "MCID" not in words


def test_small_changes_and_setbacks_are_said_honestly():
    from datetime import date as day

    from plans.clinical import MEASURES
    from plans.selectors import MeasureProgress, ProgressPoint
    from web.progress import in_words

    def progress(*values, measure="nprs", label="", target=None):
        points = [
            ProgressPoint(day(2027, 3, n + 1), Decimal(v), Decimal(v) - Decimal(values[0]))
            for n, v in enumerate(values)
        ]
        return MeasureProgress(
            MEASURES[measure], label, points, None if target is None else Decimal(target)
        )

    assert in_words(progress(7, 6)) == (
        "Pain down from 7 to 6: heading the right way, not yet a big enough change to be sure."
    )
    assert in_words(progress(4, 6)) == (
        "Pain up from 4 to 6: worse than at the start; please tell your therapist."
    )
    assert in_words(progress(5, 5)) == "Pain: still 5, no change yet."
    assert (
        in_words(progress(6)) == "Pain: 6 at the start. The change shows once it is scored again."
    )
    assert in_words(progress(3, 7, measure="psfs", label="climbing stairs", target=7)) == (
        "How well you manage climbing stairs up from 3 to 7: a real improvement. "
        "You have reached your goal of 7."
    )
