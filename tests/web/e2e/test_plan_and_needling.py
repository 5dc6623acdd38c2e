"""In a real browser: a patient ticks off a home exercise on their plan, and meets the
dry-needling screening before booking needling."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from booking.models import Modality
from booking.services import book_session
from plans import services as plans
from plans.models import ExerciseLog, NeedlingScreening
from tests.conftest import NOW
from tests.factories import TreatmentFactory
from tests.plans.factories import ExerciseFactory

from .pages import DESKTOP, PHONE, shot, sign_in


@pytest.fixture
def neck_plan(patient, clinic, therapist):
    exercises = [
        ExerciseFactory(
            name="Chin tuck", instructions="Sit tall and draw your chin straight back."
        ),
        ExerciseFactory(
            name="Shoulder blade squeeze",
            instructions="Squeeze your shoulder blades together and hold.",
            default_reps=None,
            default_hold_seconds=10,
        ),
    ]
    with time_machine.travel(NOW - timedelta(days=14), tick=False):
        plan = plans.create_plan(
            patient=patient,
            clinic=clinic,
            lead_therapist=therapist,
            condition="neck_pain",
            title="Neck rehab",
            start_date=date(2027, 2, 15),
            created_by=therapist.user,
            phases=[
                plans.PhaseSpec(
                    name="Settle pain",
                    weeks=6,
                    prescriptions=tuple(
                        plans.PrescriptionSpec(exercise=exercise, times_per_day=2)
                        for exercise in exercises
                    ),
                )
            ],
        )
        plans.activate_plan(plan=plan, activated_by=therapist.user)
    for days_ago, score in ((14, 7), (7, 5), (0, 3)):
        with time_machine.travel(NOW - timedelta(days=days_ago), tick=False):
            plans.record_outcome(
                plan=plan, measure="nprs", value=Decimal(score), recorded_by=therapist.user
            )
    return plan


@pytest.mark.django_db(transaction=True)
def test_patient_ticks_off_exercises_and_is_screened_for_needling(
    open_page, clock, patient, neck_plan, clinic, room, therapist
):
    page = open_page(PHONE)
    sign_in(page, "pat")
    page.get_by_role("link", name="Your exercises and progress").click()
    page.get_by_role("heading", name="This week's home exercises").wait_for()
    page.get_by_label("Pain while doing it (0–10)").first.select_option("2")
    page.get_by_role("button", name="Done it: Chin tuck").click()
    page.get_by_text("Logged: Chin tuck. Well done.").wait_for()
    assert ExerciseLog.objects.get().pain == 2
    shot(page, "patient-11-plan-360")

    desktop = open_page(DESKTOP)
    sign_in(desktop, "pat")
    desktop.goto(f"/appointments/plans/{neck_plan.pk}/")
    shot(desktop, "patient-11-plan-desktop")

    needling = TreatmentFactory(
        clinic=clinic,
        name="Dry needling",
        modality=Modality.DRY_NEEDLING,
        duration_minutes=30,
        required_qualifications=["dry_needling"],
        required_room_features=["needling_approved"],
    )
    page.goto(f"/book/derby/{needling.pk}/times/?therapist=any&from=2027-03-02")
    page.get_by_role("link", name="Tuesday 2 March at 10:00").click()
    page.get_by_role("heading", name="Your health today").wait_for()
    shot(page, "patient-12-needling-screening-360")
    for _ in range(5):  # five screens of plain questions, then the review
        for question in page.locator("fieldset.question").all():
            question.get_by_label("No", exact=True).check()
        page.get_by_role("button", name=re.compile("Continue|check your answers")).click()
    page.get_by_role("heading", name="Check your answers").wait_for()
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_role("heading", name="Your consent to dry needling").wait_for()
    assert NeedlingScreening.objects.filter(patient=patient).count() == 1
    shot(page, "patient-13-needling-consent-360")
    page.get_by_label(re.compile("I consent to dry needling")).check()
    page.get_by_role("button", name="Give consent and continue").click()
    page.get_by_role("heading", name="Confirm your booking").wait_for()
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_text("You're booked in.").wait_for()


@pytest.mark.django_db(transaction=True)
def test_therapist_sees_plan_context_and_their_feed(
    open_page, clock, patient, neck_plan, massage, therapist
):
    book_session(
        treatment=massage,
        start=datetime(2027, 3, 1, 11, tzinfo=UTC),
        patient=patient,
        apply_policy=False,
    )
    page = open_page(DESKTOP)
    sign_in(page, "tess")
    page.get_by_text("Plan: Neck rehab").first.wait_for()
    feed = page.get_by_label(re.compile("Tess Physio at Derby Physio"))
    old_address = feed.input_value()
    page.get_by_role("button", name="Rotate address").click()
    page.get_by_text("The old one no longer works").wait_for()
    assert page.get_by_label(re.compile("Tess Physio at Derby Physio")).input_value() != old_address
    shot(page, "therapist-02-plan-context-and-feed-desktop")
