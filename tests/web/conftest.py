"""Fixtures for the web pages: signed-in browsers-by-test-client (`book` is in tests/conftest.py).

The named people come from tests/conftest.py (Pat the patient, Tess the therapist, Rhea at
reception in Derby; Rory at reception in Nottingham, who must see nothing of Derby).
"""

import pytest
from django.test import Client


@pytest.fixture
def browser_for():
    """browser_for(user) -> a Django test Client signed in as that user (None: anonymous)."""

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
