"""manage.py seed_plans: the library and templates, and the demo data, loaded idempotently."""

from io import StringIO

import pytest
from django.core.management import call_command

from booking.models import Booking
from plans import services
from plans.models import Exercise, NeedlingScreening, PlanStatus, PlanTemplate, TreatmentPlan
from plans.selectors import needling_clearance
from tests.factories import TreatmentFactory

pytestmark = pytest.mark.usefixtures("frozen_now")


def _seed(*args) -> str:
    out = StringIO()
    call_command("seed_plans", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def every_modality(clinic, room, therapist, needling, massage, rehab):
    for modality in ("pnf_stretching", "iastm"):
        TreatmentFactory(
            clinic=clinic, name=modality, modality=modality, required_qualifications=[]
        )


def test_seed_plans_loads_the_library_and_templates_once(db):
    first = _seed()
    counts = (Exercise.objects.count(), PlanTemplate.objects.count())
    second = _seed()

    assert counts[0] >= 20
    assert counts[1] == 4
    assert (Exercise.objects.count(), PlanTemplate.objects.count()) == counts
    assert "0 added" in second
    assert "0 added" not in first
    lbp = PlanTemplate.objects.get(condition="low_back_pain")
    # NICE NG59: manual therapy only alongside exercise, and no acupuncture for back pain.
    modalities = set(lbp.phases.values_list("sessions__modality", flat=True))
    assert modalities == {"exercise_rehab", "sports_massage"}


def test_every_template_builds_a_plan_at_a_fully_equipped_clinic(
    patient, clinic, therapist, every_modality
):
    _seed()

    for template in PlanTemplate.objects.all():
        plan = services.create_plan(
            patient=patient,
            clinic=clinic,
            lead_therapist=therapist,
            condition=template.condition,
            template=template,
        )
        assert plan.sessions.count() > 0
        assert plan.phases.filter(prescriptions__isnull=False).exists()


def test_the_demo_screens_patients_and_books_an_example_plan_once(
    patient, clinic, therapist, every_modality
):
    output = _seed("--demo")
    plan = TreatmentPlan.objects.get(patient=patient)

    assert plan.status == PlanStatus.ACTIVE
    assert needling_clearance(patient=patient, on=plan.start_date).cleared
    assert Booking.objects.filter(patient=patient).count() == plan.sessions.count()
    assert plan.outcomes.count() == 2
    assert "sessions booked" in output

    _seed("--demo")
    assert TreatmentPlan.objects.count() == 1
    assert NeedlingScreening.objects.count() == 1
