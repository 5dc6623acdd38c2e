"""Plan fixtures on top of tests/conftest.py: Derby's treatments for a multimodal plan, an
exercise, and helpers that screen and consent a patient or build a plan through the services.

Tess (the therapist) is qualified in massage and dry needling; Room 1 is needling-approved; the
clinic and Tess work every day 08:00-20:00 (Europe/London). "now" is Monday 1 March 2027 09:00.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from booking.models import BookingStatus, Channel
from booking.services import book_session
from plans import services
from plans.clinical import SCREENING_ITEMS
from plans.models import PlanStatus
from tests.factories import TreatmentFactory
from tests.plans.factories import ExerciseFactory

START = date(2027, 3, 8)  # a Monday, a week after "now"


@pytest.fixture
def needling(clinic, room, therapist):
    return TreatmentFactory(
        clinic=clinic,
        name="Dry needling",
        modality="dry_needling",
        duration_minutes=30,
        buffer_after_minutes=10,
        required_qualifications=["dry_needling"],
        required_room_features=["needling_approved"],
    )


@pytest.fixture
def rehab(clinic, room, therapist):
    return TreatmentFactory(
        clinic=clinic, name="Exercise rehab", modality="exercise_rehab", required_qualifications=[]
    )


@pytest.fixture
def chin_tuck(db):
    return ExerciseFactory(name="Chin tuck", default_reps=10, default_sets=3)


def answers(**yes) -> dict:
    """Screening answers: no to everything except the codes given as True."""
    return {item.code: yes.get(item.code, False) for item in SCREENING_ITEMS}


def screen_and_consent(patient, clinic, by, **yes):
    """Record a screening with the given flags, acknowledge precautions, record consent."""
    screening = services.record_screening(
        patient=patient, clinic=clinic, answers=answers(**yes), screened_by=by
    )
    if screening.relative_contraindications:
        services.acknowledge_precautions(
            screening=screening, acknowledged_by=by, note="Shallow needling only."
        )
    services.record_consent(
        screening=screening,
        given_by=patient.full_name,
        method="written",
        scope="Upper trapezius",
        recorded_by=by,
    )
    return screening


def book_past_session(treatment, patient, therapist, start: datetime):
    """A session that took place (booked at the desk a week before, then completed)."""
    booking = book_session(
        treatment=treatment,
        start=start,
        patient=patient,
        therapist=therapist,
        apply_policy=False,
        channel=Channel.RECEPTION,
        now=start - timedelta(days=7),
    )
    booking.status = BookingStatus.COMPLETED
    booking.save(update_fields=["status"])
    return booking


@pytest.fixture
def assessed(patient, therapist, massage):
    """Pat had a first session with Tess on Monday 22 February 2027: Tess treats Pat."""
    return book_past_session(massage, patient, therapist, datetime(2027, 2, 22, 10, tzinfo=UTC))


@pytest.fixture
def cleared(patient, clinic, therapist):
    """Pat is screened (nothing found) and has consented to dry needling."""
    return screen_and_consent(patient, clinic, therapist.user)


def build_plan(patient, clinic, therapist, *phases, activate=False, **kwargs):
    plan = services.create_plan(
        patient=patient,
        clinic=clinic,
        lead_therapist=therapist,
        condition=kwargs.pop("condition", "neck_pain"),
        created_by=therapist.user,
        start_date=kwargs.pop("start_date", START),
        phases=list(phases),
        **kwargs,
    )
    if activate:
        plan = services.activate_plan(plan=plan, activated_by=therapist.user)
        assert plan.status == PlanStatus.ACTIVE
    return plan


def phase(name="Settle pain", weeks=2, components=(), prescriptions=()):
    return services.PhaseSpec(
        name=name, weeks=weeks, components=tuple(components), prescriptions=tuple(prescriptions)
    )


def sessions(treatment, count, per_week=1, **kwargs):
    return services.ComponentSpec(treatment=treatment, sessions=count, per_week=per_week, **kwargs)
