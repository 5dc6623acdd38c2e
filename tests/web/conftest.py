"""Fixtures for the web pages: signed-in browsers-by-test-client and a booking helper.

The named people come from tests/conftest.py (Pat the patient, Tess the therapist, Rhea at
reception in Derby; Rory at reception in Nottingham, who must see nothing of Derby).
"""

from datetime import UTC, datetime

import pytest
from django.test import Client

from booking.models import Channel
from booking.services import book_session


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
def book():
    """book(treatment, patient, "2027-03-02T10:00", therapist=None) books at the desk."""

    def make(treatment, patient, at: str, therapist=None):
        start = datetime.fromisoformat(at).replace(tzinfo=UTC)
        return book_session(
            treatment=treatment,
            start=start,
            patient=patient,
            therapist=therapist,
            apply_policy=False,
            channel=Channel.RECEPTION,
        )

    return make
