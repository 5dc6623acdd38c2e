"""Tailoring a built plan: phases moved earlier or later, and a newly avoided modality swapped for
its alternative instead of refused (the plan builder's "avoid needles")."""

from datetime import UTC, datetime

import pytest

from booking.services import book_session
from plans import errors, services
from plans.models import SessionComponent
from tests.plans.conftest import build_plan, phase, sessions

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def plan(patient, clinic, therapist, massage, rehab):
    return build_plan(
        patient,
        clinic,
        therapist,
        phase("Settle pain", 2, [sessions(massage, 2)]),
        phase("Load", 3, [sessions(rehab, 3)]),
        phase("Return to sport", 1),
    )


def _order(plan):
    return list(plan.phases.order_by("order").values_list("name", "start_week", "weeks"))


def test_a_phase_moves_earlier_and_the_pair_keeps_its_weeks(plan):
    services.move_phase(phase=plan.phases.get(name="Load"), earlier=True)

    assert _order(plan) == [("Load", 1, 3), ("Settle pain", 4, 2), ("Return to sport", 6, 1)]


def test_a_phase_moves_later(plan):
    services.move_phase(phase=plan.phases.get(name="Load"), earlier=False)

    assert _order(plan) == [("Settle pain", 1, 2), ("Return to sport", 3, 1), ("Load", 4, 3)]


def test_the_first_phase_cannot_move_earlier(plan):
    with pytest.raises(errors.PlanRuleBroken):
        services.move_phase(phase=plan.phases.get(name="Settle pain"), earlier=True)

    assert _order(plan)[0] == ("Settle pain", 1, 2)


def test_a_phase_with_a_booked_session_keeps_its_place(plan, massage):
    session = plan.sessions.filter(component__treatment=massage).first()
    session.booking = book_session(
        treatment=massage,
        start=datetime(2027, 3, 9, 10, tzinfo=UTC),
        patient=plan.patient,
        apply_policy=False,
    )
    session.save()

    with pytest.raises(errors.SessionsAlreadyBooked):
        services.move_phase(phase=plan.phases.get(name="Load"), earlier=True)

    assert [name for name, *_ in _order(plan)] == ["Settle pain", "Load", "Return to sport"]


def test_avoiding_needles_swaps_unbooked_needling_for_massage(plan, needling, massage):
    component = services.add_component(
        phase=plan.phases.get(name="Return to sport"), component=sessions(needling, 1)
    )

    services.update_plan(plan=plan, avoid_modalities=["dry_needling"], substitute_avoided=True)

    component = SessionComponent.objects.get(pk=component.pk)
    assert (component.treatment, component.substituted_for) == (massage, "dry_needling")
    assert component.min_gap_hours == 24
    plan.refresh_from_db()
    assert plan.avoid_modalities == ["dry_needling"]


def test_without_substitution_avoiding_needles_with_needling_planned_is_refused(plan, needling):
    services.add_component(
        phase=plan.phases.get(name="Return to sport"), component=sessions(needling, 1)
    )

    with pytest.raises(errors.AgainstPatientPreference):
        services.update_plan(plan=plan, avoid_modalities=["dry_needling"])

    plan.refresh_from_db()
    assert plan.avoid_modalities == []


def test_preferred_times_that_end_before_they_start_are_refused_when_creating(
    patient, clinic, therapist
):
    from datetime import time

    with pytest.raises(errors.PlanRuleBroken):
        services.create_plan(
            patient=patient,
            clinic=clinic,
            lead_therapist=therapist,
            condition="neck_pain",
            preferences=services.Preferences(
                preferred_time_from=time(14), preferred_time_to=time(10)
            ),
        )
