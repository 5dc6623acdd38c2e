"""In a real browser: Tess builds Pat's plan from a template (Pat avoids needles, so the
needling becomes massage), activates it, books every session in one go, prescribes a home
exercise and records an outcome. Each page is photographed at 1440 and 768 px and checked with
axe (0 critical/serious)."""

from datetime import UTC, datetime

import pytest

from plans import services
from plans.models import ExercisePrescription, OutcomeRecord, PlanSession, PlanStatus, TreatmentPlan
from tests.factories import TreatmentFactory
from tests.plans.conftest import book_past_session
from tests.plans.factories import ExerciseFactory

from .pages import DESKTOP, shot, sign_in

TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def template(clinic, room, therapist, massage):
    TreatmentFactory(
        clinic=clinic,
        name="Dry needling",
        modality="dry_needling",
        duration_minutes=30,
        required_qualifications=["dry_needling"],
        required_room_features=["needling_approved"],
    )
    ExerciseFactory(name="Chin tuck", instructions="Sit tall and draw your chin straight back.")
    return services.create_template(
        name="Neck pain: needling and exercise",
        condition="neck_pain",
        description="Trigger point work, then loading.",
        phases=[
            services.TemplatePhaseSpec(
                name="Settle pain",
                weeks=2,
                sessions=(services.TemplateSessionSpec("dry_needling", 2),),
            ),
            services.TemplatePhaseSpec(
                name="Build strength",
                weeks=2,
                sessions=(services.TemplateSessionSpec("sports_massage", 1),),
            ),
        ],
    )


def both_sizes(open_page, path: str, name: str) -> None:
    """Photograph (and axe-check) a page at 1440 and 768 px."""
    for label, viewport in (("1440", DESKTOP), ("768", TABLET)):
        page = open_page(viewport)
        sign_in(page, "tess")
        page.goto(path)
        shot(page, f"{name}-{label}")


@pytest.mark.django_db(transaction=True)
def test_therapist_builds_and_confirms_a_plan_from_a_template(
    open_page, clock, patient, therapist, massage, template
):
    book_past_session(massage, patient, therapist, datetime(2027, 2, 22, 10, tzinfo=UTC))
    page = open_page(DESKTOP)
    sign_in(page, "tess")

    page.goto(f"/therapist/patients/{patient.pk}/")
    page.get_by_role("link", name="Start a treatment plan").click()
    page.get_by_role("heading", name="Start a treatment plan").wait_for()
    page.get_by_label("Template").select_option(label="Neck pain: needling and exercise")
    page.get_by_label("Goal 1 (optional)", exact=True).fill("Turn my head to reverse the car")
    page.get_by_label("Goal 1: measured by").select_option("nprs")
    page.get_by_label("Goal 1: target score").fill("2")
    page.get_by_label("Avoid needles").check()
    page.get_by_label("Tuesday").check()
    page.get_by_label("Thursday").check()
    shot(page, "plan-builder-01-start-1440")
    page.get_by_role("button", name="Start the plan").click()

    page.get_by_text("Dry needling was swapped for Sports massage").wait_for()
    plan = TreatmentPlan.objects.get(patient=patient)
    assert plan.status == PlanStatus.DRAFT
    shot(page, "plan-builder-02-plan-flow-1440")
    both_sizes(open_page, f"/therapist/plans/{plan.pk}/", "plan-builder-02-plan")

    page.get_by_role("button", name="Activate the plan").click()
    page.get_by_role("heading", name="Sessions to book (3)").wait_for()
    shot(page, "plan-builder-03-schedule-flow-1440")
    both_sizes(open_page, f"/therapist/plans/{plan.pk}/schedule/", "plan-builder-03-schedule")
    page.get_by_role("button", name="Book all 3 sessions").click()
    page.get_by_text("3 sessions booked, the first on").wait_for()
    assert PlanSession.objects.filter(plan=plan, booking__isnull=False).count() == 3

    page.get_by_role("link", name="Home exercises").click()
    page.get_by_label("Exercise", exact=True).select_option(label="Chin tuck (neck)")
    page.get_by_label("Sets").fill("3")
    page.get_by_label("Reps").fill("12")
    page.get_by_label("Times a day").fill("2")
    page.get_by_role("button", name="Prescribe").click()
    page.get_by_text("Chin tuck prescribed.").wait_for()
    assert ExercisePrescription.objects.get(phase__plan=plan).reps == 12
    shot(page, "plan-builder-04-exercises-flow-1440")
    both_sizes(open_page, f"/therapist/plans/{plan.pk}/exercises/", "plan-builder-04-exercises")

    page.get_by_role("link", name="Outcomes").click()
    page.get_by_label("Measure", exact=True).select_option("nprs")
    page.get_by_label("Score", exact=True).fill("6")
    page.get_by_role("button", name="Record score").click()
    page.get_by_text("recorded: 6").wait_for()
    page.locator(".chart svg").wait_for()
    assert OutcomeRecord.objects.get(plan=plan).value == 6
    shot(page, "plan-builder-05-outcomes-flow-1440")
    both_sizes(open_page, f"/therapist/plans/{plan.pk}/outcomes/", "plan-builder-05-outcomes")
    both_sizes(open_page, f"/therapist/plans/{plan.pk}/discharge/", "plan-builder-07-discharge")


@pytest.mark.django_db(transaction=True)
def test_the_patient_reads_the_discharge_summary_in_plain_words(
    open_page, clock, patient, therapist, massage
):
    book_past_session(massage, patient, therapist, datetime(2027, 2, 22, 10, tzinfo=UTC))
    plan = services.create_plan(
        patient=patient,
        clinic=patient.clinic,
        lead_therapist=therapist,
        condition="neck_pain",
        title="Neck rehab",
        phases=[services.PhaseSpec(name="Settle pain", weeks=2)],
    )
    services.add_prescription(
        phase=plan.phases.get(),
        prescription=services.PrescriptionSpec(exercise=ExerciseFactory(name="Chin tuck")),
    )
    services.activate_plan(plan=plan, activated_by=therapist.user)
    services.complete_plan(
        plan=plan,
        completed_by=therapist.user,
        summary=services.DischargeSummary(
            "Your neck pain went from 7 to 2 and you can reverse the car again.",
            "Keep doing the chin tucks once a day for another month.",
            "No more appointments are needed. Get in touch if the pain comes back.",
        ),
    )
    for label, viewport in (("1440", DESKTOP), ("768", TABLET)):
        page = open_page(viewport)
        sign_in(page, "pat")
        page.goto(f"/appointments/plans/{plan.pk}/")
        page.get_by_role("heading", name="Your treatment has finished").wait_for()
        shot(page, f"plan-builder-08-patient-discharge-{label}")
        text = page.inner_text("main")
        assert "Your neck pain went from 7 to 2" in text
        assert "Keep doing the chin tucks once a day" in text
        assert "No more appointments are needed" in text
        assert "MCID" not in text
        assert "NPRS" not in text


@pytest.mark.django_db(transaction=True)
def test_an_empty_start_form_focuses_the_error_summary(
    open_page, clock, patient, therapist, massage
):
    book_past_session(massage, patient, therapist, datetime(2027, 2, 22, 10, tzinfo=UTC))
    page = open_page(TABLET)
    sign_in(page, "tess")
    page.goto(f"/therapist/patients/{patient.pk}/plans/new/")
    page.get_by_role("button", name="Start the plan").click()

    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    shot(page, "plan-builder-06-start-errors-768")
