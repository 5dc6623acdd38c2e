"""Fixtures for the web pages: signed-in browsers-by-test-client (`book` is in tests/conftest.py).

The named people come from tests/conftest.py (Pat the patient, Tess the therapist, Rhea at
reception in Derby; Rory at reception in Nottingham, who must see nothing of Derby).
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from plans import services as plans
from tests.conftest import NOW
from tests.plans.conftest import START, book_past_session, build_plan, phase, screen_and_consent
from tests.plans.conftest import sessions as planned


@pytest.fixture
def browser_for():
    """browser_for(user) -> a Django test Client signed in as that user (None: anonymous)."""

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def course(patient, clinic, therapist, massage):
    """Pat's course with Tess: a past session, a screening and consent, an active neck plan with
    two outcome scores, and today's session at 11:00 (its confirmation email sent)."""
    past = book_past_session(massage, patient, therapist, datetime(2027, 2, 22, 10, tzinfo=UTC))
    with time_machine.travel(datetime(2027, 2, 22, 10, 30, tzinfo=UTC), tick=False):
        screen_and_consent(patient, clinic, therapist.user)
    with time_machine.travel(datetime(2027, 2, 22, 11, tzinfo=UTC), tick=False):
        plan = build_plan(
            patient,
            clinic,
            therapist,
            phase("Settle pain", weeks=2, components=[planned(massage, 2)]),
            phase("Build strength", weeks=3),
            start_date=START - timedelta(days=21),
            title="Neck rehab",
            activate=True,
        )
        plans.record_outcome(
            plan=plan, measure="nprs", value=Decimal(7), booking=past, recorded_by=therapist.user
        )
    with time_machine.travel(NOW, tick=False):
        plans.record_outcome(
            plan=plan, measure="nprs", value=Decimal(4), recorded_by=therapist.user
        )
    return plan
