"""Session-note fixtures on top of tests/conftest.py and the plan helpers.

Tess (qualified in massage and dry needling) saw Pat on Friday 26 February 2027 at 10:00 UTC
for a combined needling + massage session; "now" is Monday 1 March 2027 09:00 UTC.
"""

from datetime import UTC, datetime

import pytest

from tests.factories import TreatmentFactory
from tests.plans.conftest import book_past_session, cleared, needling, screen_and_consent

__all__ = ["cleared", "needling", "screen_and_consent"]

SESSION_AT = datetime(2027, 2, 26, 10, tzinfo=UTC)


@pytest.fixture
def combined(clinic, room, therapist):
    return TreatmentFactory(
        clinic=clinic,
        name="Dry needling + sports massage",
        modality="combined",
        duration_minutes=45,
        required_qualifications=["dry_needling", "sports_massage"],
        required_room_features=["needling_approved"],
    )


@pytest.fixture
def session(frozen_now, cleared, combined, patient, therapist):
    """The combined session Tess held with Pat last Friday (Pat cleared for needling)."""
    return book_past_session(combined, patient, therapist, SESSION_AT)


@pytest.fixture
def massage_session(frozen_now, massage, patient, therapist):
    return book_past_session(massage, patient, therapist, datetime(2027, 2, 25, 14, tzinfo=UTC))


def site(**changes) -> dict:
    return {
        "muscle": "Upper trapezius",
        "side": "right",
        "trigger_point": "TrP1",
        "needle_diameter_mm": 0.25,
        "needle_length_mm": 30,
        "insertions": 4,
        "technique": "pistoning",
        "local_twitch_response": True,
        **changes,
    }


def needling_record(**changes) -> dict:
    return {
        "modality": "dry_needling",
        "sites": [site()],
        "needles_in": 2,
        "needles_out": 2,
        "sharps_disposed": True,
        "adverse_events": [],
        **changes,
    }


def massage_record(**changes) -> dict:
    return {
        "modality": "sports_massage",
        "areas": [{"area": "Upper trapezius", "side": "right"}],
        "techniques": ["effleurage", "trigger_point_release"],
        "pressure": "firm",
        "minutes": 20,
        **changes,
    }


def soap(**changes) -> dict:
    return {
        "subjective": "Neck ache 5/10 after long days at the desk.",
        "objective": "Tender right upper trapezius, rotation 60 degrees.",
        "assessment": "Myofascial neck pain, improving.",
        "plan": "Repeat needling, progress home exercise.",
        "pain_before": 5,
        "pain_after": 3,
        **changes,
    }


def complete_note(booking, **changes) -> dict:
    return {
        "booking": booking.pk,
        **soap(),
        "body_chart": [
            {"view": "back", "region": "right_shoulder_blade", "symptom": "ache", "nprs": 5}
        ],
        "records": [needling_record(), massage_record()],
        **changes,
    }
