"""Two people confirming one plan's schedule at once: the plan lock lets one book every session
and the other find nothing left to book. Real concurrent connections, so transaction=True."""

import pytest

from booking.models import Booking
from plans.models import PlanSession
from tests.booking.test_concurrency import race
from tests.conftest import client_for
from tests.plans.conftest import build_plan, phase, sessions

pytestmark = pytest.mark.django_db(transaction=True)


def _confirmer(user, plan):
    client = client_for(user)
    return lambda: client.post(
        f"/api/v1/plans/{plan.pk}/schedule/", {"confirm": True}, format="json"
    )


@pytest.mark.usefixtures("frozen_now")
def test_two_confirmations_of_one_plan_book_it_once(
    patient, clinic, therapist, massage, receptionist
):
    plan = build_plan(
        patient, clinic, therapist, phase("Settle pain", 3, [sessions(massage, 3)]), activate=True
    )
    calls = [_confirmer(user, plan) for user in (therapist.user, receptionist, patient.user)]

    responses = race(calls)

    assert [r.status_code for r in responses].count(200) >= 1
    assert {r.status_code for r in responses} <= {200, 409}
    booked = sorted(len(r.json()["sessions"]) for r in responses if r.status_code == 200)
    assert booked[-1] == 3
    assert sum(booked) == 3
    assert Booking.objects.count() == 3
    assert PlanSession.objects.filter(plan=plan, booking__isnull=False).count() == 3
