"""Named people and places for the tests.

Derby clinic: Tess (physiotherapist, qualified for massage), Rhea at reception, Adam the admin,
Pat the patient (with a login). Nottingham clinic: Nora, another clinic's therapist, and Rory,
its receptionist, who must see nothing of Derby. "now" is frozen by most tests with
time-machine at Monday 1 March 2027 09:00 UTC.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.services import issue_token
from booking.models import Channel
from booking.services import book_session
from tests.factories import (
    ClinicFactory,
    MembershipFactory,
    PatientFactory,
    RoomFactory,
    TherapistFactory,
    TreatmentFactory,
    UserFactory,
)

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: ids are reused once a test's rows are rolled
    back, so a cached row (a clinic's notification settings) must not outlive its test."""
    cache.clear()


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Derby Physio", slug="derby")


@pytest.fixture
def other_clinic(db):
    return ClinicFactory(name="Nottingham Physio", slug="nottingham")


@pytest.fixture
def room(clinic):
    return RoomFactory(clinic=clinic, name="Room 1", features=["couch", "needling_approved"])


@pytest.fixture
def tess_user(db):
    return UserFactory(username="tess")


@pytest.fixture
def therapist(clinic, tess_user):
    therapist = TherapistFactory(
        first_name="Tess",
        last_name="Physio",
        user=tess_user,
        clinics=[clinic],
        qualifications=["sports_massage", "dry_needling"],
    )
    MembershipFactory(user=tess_user, clinic=clinic, role="therapist")
    return therapist


@pytest.fixture
def massage(clinic, room, therapist):
    return TreatmentFactory(clinic=clinic, name="Sports massage")


@pytest.fixture
def patient_user(db):
    return UserFactory(username="pat")


@pytest.fixture
def patient(clinic, patient_user):
    return PatientFactory(clinic=clinic, first_name="Pat", last_name="Jones", user=patient_user)


@pytest.fixture
def receptionist(clinic):
    return MembershipFactory(
        user=UserFactory(username="rhea"), clinic=clinic, role="receptionist"
    ).user


@pytest.fixture
def clinic_admin(clinic):
    return MembershipFactory(user=UserFactory(username="adam"), clinic=clinic, role="admin").user


@pytest.fixture
def other_receptionist(other_clinic):
    return MembershipFactory(
        user=UserFactory(username="rory"), clinic=other_clinic, role="receptionist"
    ).user


@pytest.fixture
def other_therapist(other_clinic):
    user = UserFactory(username="nora")
    MembershipFactory(user=user, clinic=other_clinic, role="therapist")
    return TherapistFactory(first_name="Nora", last_name="Else", user=user, clinics=[other_clinic])


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        _, secret = issue_token(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def api():
    """api(user) -> an APIClient authenticated as that user by token (None: anonymous)."""
    return client_for


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
