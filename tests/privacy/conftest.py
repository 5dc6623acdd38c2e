"""A patient with a full record, for the export, erasure and purge tests.

On top of tests/conftest.py's Derby clinic: Pat (born 12 June 1990) had a combined needling and
massage session with Tess on Friday 26 February 2027 (screened and consented first), with a
signed and amended session note; an active neck plan with a goal, a phase, chin tucks, an
outcome score and a logged exercise; one booking still to come on 10 March, whose confirmation
was emailed (reminders by email and SMS wait); and a calendar feed. "Now" is Monday 1 March 2027 09:00 UTC.
"""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from booking.models import Patient
from notifications.models import ClinicNotificationSettings, Kind, Notification
from notifications.services import send_notification_now
from plans import services as plans
from tests.factories import MembershipFactory, PatientFactory, UserFactory
from tests.plans.conftest import build_plan, chin_tuck, phase, sessions
from tests.sessionnotes.conftest import cleared, combined, complete_note, session

__all__ = ["chin_tuck", "cleared", "combined", "session"]

NOTES = "/api/v1/session-notes/"


def write_signed_note(api, therapist, booking) -> int:
    user = therapist.user
    response = api(user).post(NOTES, complete_note(booking), format="json")
    assert response.status_code == 201, response.json()
    note_id = response.json()["id"]
    assert api(user).post(f"{NOTES}{note_id}/sign/").status_code == 200
    amended = api(user).post(
        f"{NOTES}{note_id}/amend/",
        {"reason": "Wrong side recorded.", "changes": {"objective": "Tender LEFT trapezius."}},
        format="json",
    )
    assert amended.status_code == 201, amended.json()
    return note_id


@pytest.fixture
def record(api, frozen_now, patient, clinic, therapist, massage, chin_tuck, session, book):
    Patient.objects.filter(pk=patient.pk).update(
        date_of_birth=date(1990, 6, 12),
        email="pat@example.com",
        phone="+447700900123",
        consents_to_sms=True,
    )
    ClinicNotificationSettings.objects.create(clinic_id=clinic.pk, sms_reminders=True)
    patient.refresh_from_db()
    note_id = write_signed_note(api, therapist, session)
    plan = build_plan(
        patient,
        clinic,
        therapist,
        phase(
            "Settle pain",
            3,
            [sessions(massage, 2)],
            [plans.PrescriptionSpec(exercise=chin_tuck, days_per_week=3)],
        ),
        start_date=date(2027, 2, 15),
        goals=[plans.GoalSpec("Pain at most 2/10", measure="nprs", target_value=Decimal(2))],
        activate=True,
    )
    outcome = plans.record_outcome(
        plan=plan, measure="nprs", value=Decimal(5), recorded_on=date(2027, 2, 26)
    )
    prescription = plan.phases.get().prescriptions.get()
    log = plans.log_exercise(
        plan=plan,
        prescription=prescription,
        performed_on=date(2027, 2, 27),
        sets_done=3,
        logged_by=patient.user,
    )
    upcoming = book(massage, patient, "2027-03-10T10:00", therapist=therapist)
    confirmation = Notification.objects.get(entry__booking_id=upcoming.pk, kind=Kind.CONFIRMATION)
    send_notification_now(confirmation.pk)
    feeds = api(patient.user).get("/api/v1/feeds/").json()["results"]
    return SimpleNamespace(
        patient=patient,
        note_id=note_id,
        plan=plan,
        outcome=outcome,
        log=log,
        upcoming=upcoming,
        past=session,
        feed_url=feeds[0]["url"],
    )


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def other_clinic_admin(other_clinic):
    return MembershipFactory(
        user=UserFactory(username="olga"), clinic=other_clinic, role="admin"
    ).user


@pytest.fixture
def other_patient(clinic):
    user = UserFactory(username="quinn")
    return PatientFactory(clinic=clinic, first_name="Quinn", last_name="Other", user=user)


def user_of(request, who: str):
    """The person a role-table row names (fixture names of tests/conftest.py and the above)."""
    if who == "anonymous":
        return None
    person = request.getfixturevalue(who)
    return getattr(person, "user", person) if who in ("therapist", "other_patient") else person
