"""A small two-clinic world for the reliability proofs, built through the services.

Each clinic ("own" Derby, "other" Nottingham) has a room, a therapist with a login, reception,
an admin, a patient with a login, an upcoming booking, a held session with a signed-off needling
note whose serious adverse event raised a safety alert, a screening with consent, a draft plan
(goal, phase, session component, exercise prescription), a plan template, its own exercise, a
block, the patient's waiting-list entry for a massage sooner, and calendar feeds. "Now" is frozen at tests.conftest.NOW (Monday 1 March 2027 09:00 UTC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from accounts.services import issue_token
from booking.models import Block, Channel, OpeningHours, WorkingHours
from booking.services import book_session
from notifications import services as notification_services
from notifications.directory import get_directory
from plans import services as plan_services
from plans.models import TreatmentPlan
from sessionnotes import services as note_services
from sessionnotes.models import SafetyAlert
from tests.conftest import NOW
from tests.factories import (
    ClinicFactory,
    MembershipFactory,
    PatientFactory,
    RoomFactory,
    TherapistFactory,
    TreatmentFactory,
    UserFactory,
)
from tests.plans.conftest import book_past_session, screen_and_consent
from tests.plans.factories import ExerciseFactory
from tests.sessionnotes.conftest import complete_note, needling_record
from waitlist.services import add_to_waitlist

SERIOUS_FAINT = {
    "kind": "syncope",
    "severity": "serious",
    "onset": "during",
    "action": "Needles removed, patient laid flat; observed until recovered.",
}


@dataclass
class Side:
    """One clinic's people and records."""

    clinic: object
    room: object
    therapist: object
    receptionist: object
    admin: object
    patient: object
    massage: object
    needling: object
    booking: object
    session: object
    unnoted: object  # a held massage session with no note yet
    screening: object
    plan: TreatmentPlan
    note: object
    alert: SafetyAlert
    block: Block
    template: object
    exercise: object
    opening_hours: OpeningHours
    working_hours: WorkingHours
    waitlist: object  # the patient waiting for a massage sooner than the diary offers
    tokens: dict = field(default_factory=dict)  # user pk -> (token id, secret)
    feeds: dict = field(default_factory=dict)  # user pk -> feed id

    @property
    def goal(self):
        return self.plan.goals.first()

    @property
    def phase(self):
        return self.plan.phases.first()

    @property
    def component(self):
        return self.phase.components.first()

    @property
    def prescription(self):
        return self.phase.prescriptions.first()


@dataclass
class World:
    own: Side
    other: Side
    superuser: object
    # Pat's neighbour at Derby: another patient of the same clinic, with a login.
    neighbour: object

    def users(self) -> dict[str, object | None]:
        """The six roles, as the users who play them at Derby (anonymous: None)."""
        return {
            "anonymous": None,
            "patient": self.own.patient.user,
            "receptionist": self.own.receptionist,
            "therapist": self.own.therapist.user,
            "clinic_admin": self.own.admin,
            "superuser": self.superuser,
        }

    def token(self, user) -> str | None:
        if user is None:
            return None
        for side in (self.own, self.other):
            if user.pk in side.tokens:
                return side.tokens[user.pk][1]
        raise KeyError(user)


def _side(slug: str, name: str, prefix: str, first_names: dict[str, str]) -> Side:
    clinic = ClinicFactory(name=name, slug=slug, min_notice_minutes=0)
    room = RoomFactory(clinic=clinic, name=f"{name} room", features=["couch", "needling_approved"])
    therapist_user = UserFactory(username=f"{prefix}-therapist", first_name=first_names["t"])
    therapist = TherapistFactory(
        first_name=first_names["t"],
        last_name="Physio",
        user=therapist_user,
        clinics=[clinic],
        qualifications=["sports_massage", "dry_needling"],
    )
    MembershipFactory(user=therapist_user, clinic=clinic, role="therapist")
    receptionist = MembershipFactory(
        user=UserFactory(username=f"{prefix}-reception"), clinic=clinic, role="receptionist"
    ).user
    admin = MembershipFactory(
        user=UserFactory(username=f"{prefix}-admin"), clinic=clinic, role="admin"
    ).user
    patient = PatientFactory(
        clinic=clinic,
        first_name=first_names["p"],
        last_name="Jones",
        user=UserFactory(username=f"{prefix}-patient"),
    )
    massage = TreatmentFactory(clinic=clinic, name="Sports massage")
    needling = TreatmentFactory(
        clinic=clinic,
        name="Dry needling",
        modality="dry_needling",
        duration_minutes=30,
        required_qualifications=["dry_needling"],
        required_room_features=["needling_approved"],
    )
    booking = book_session(
        treatment=massage,
        start=NOW + timedelta(days=2, hours=1),
        patient=patient,
        therapist=therapist,
        apply_policy=False,
        channel=Channel.RECEPTION,
    )
    screening = screen_and_consent(patient, clinic, therapist.user)
    session = book_past_session(needling, patient, therapist, datetime(2027, 2, 26, 10, tzinfo=UTC))
    note = note_services.write_note(
        booking=session,
        author=therapist.user,
        content=_content(
            session,
            complete_note(session, records=[needling_record(adverse_events=[SERIOUS_FAINT])]),
        ),
    )
    unnoted = book_past_session(massage, patient, therapist, datetime(2027, 2, 25, 14, tzinfo=UTC))
    alert = SafetyAlert.objects.get(adverse_event__note=note)
    exercise = ExerciseFactory(name=f"{name} chin tuck", clinic=clinic)
    plan = plan_services.create_plan(
        patient=patient,
        clinic=clinic,
        lead_therapist=therapist,
        condition="neck_pain",
        created_by=therapist.user,
        start_date=NOW.date() + timedelta(days=7),
        goals=[
            plan_services.GoalSpec(
                "Neck pain at most 2/10", measure="nprs", target_value=Decimal(2)
            )
        ],
        phases=[
            plan_services.PhaseSpec(
                name="Settle pain",
                weeks=2,
                components=(plan_services.ComponentSpec(treatment=massage, sessions=2),),
                prescriptions=(plan_services.PrescriptionSpec(exercise=exercise),),
            )
        ],
    )
    template = plan_services.create_template(
        name=f"{name} neck", condition="neck_pain", phases=[], clinic=clinic
    )
    block = Block.objects.create(
        clinic=clinic,
        therapist=therapist,
        start=NOW + timedelta(days=10),
        end=NOW + timedelta(days=10, hours=2),
        reason="Course",
    )
    side = Side(
        clinic=clinic,
        room=room,
        therapist=therapist,
        receptionist=receptionist,
        admin=admin,
        patient=patient,
        massage=massage,
        needling=needling,
        booking=booking,
        session=session,
        unnoted=unnoted,
        screening=screening,
        plan=plan,
        note=note,
        alert=alert,
        block=block,
        template=template,
        exercise=exercise,
        opening_hours=clinic.opening_hours.order_by("weekday").first(),
        working_hours=therapist.working_hours.order_by("weekday").first(),
        waitlist=add_to_waitlist(
            patient=patient,
            treatment=massage,
            earliest=NOW.date(),
            notes="Prefers mornings; call the mobile.",
            added_by=receptionist,
        ),
    )
    for user in (therapist.user, receptionist, admin, patient.user):
        token = issue_token(user)
        side.tokens[user.pk] = (token[0].pk, token[1])
        feeds = notification_services.ensure_feeds(get_directory().feed_owners_for(user))
        if feeds:
            side.feeds[user.pk] = feeds[0].pk
    return side


def _content(session, body: dict) -> dict:
    """A note body as the API takes it, minus the booking (the service gets the row)."""
    return {key: value for key, value in body.items() if key != "booking"}


def build_world() -> World:
    own = _side("derby", "Derby Physio", "derby", {"t": "Tess", "p": "Pat"})
    other = _side("nottingham", "Nottingham Physio", "nott", {"t": "Nora", "p": "Nat"})
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    token, secret = issue_token(superuser)
    own.tokens[superuser.pk] = (token.pk, secret)
    neighbour = PatientFactory(
        clinic=own.clinic, first_name="Sam", last_name="Lee", user=UserFactory(username="sam")
    )
    return World(own=own, other=other, superuser=superuser, neighbour=neighbour)


# The first path segment after /api/v1/ -> the Side attribute whose id fills `{id}`.
RESOURCES = {
    "bookings": "booking",
    "clinics": "clinic",
    "rooms": "room",
    "therapists": "therapist",
    "treatments": "massage",
    "patients": "patient",
    "opening-hours": "opening_hours",
    "working-hours": "working_hours",
    "blocks": "block",
    "plans": "plan",
    "plan-templates": "template",
    "exercises": "exercise",
    "screenings": "screening",
    "session-notes": "note",
    "safety-alerts": "alert",
    "waitlist": "waitlist",
}
NESTED = {
    "component_id": "component",
    "goal_id": "goal",
    "phase_id": "phase",
    "prescription_id": "prescription",
}


def path_ids(path: str, side: Side, user=None) -> dict[str, int] | None:
    """Values for `path`'s parameters naming `side`'s objects (feeds and tokens: `user`'s at
    that side, else the side's therapist's); None if the path names something unknown."""
    names = re.findall(r"{(\w+)}", path)
    resource = path.removeprefix("/api/v1/").split("/")[0]
    values = {}
    for name in names:
        if name != "id":
            values[name] = getattr(side, NESTED[name]).pk
        elif resource in RESOURCES:
            values[name] = getattr(side, RESOURCES[resource]).pk
        elif resource == "feeds":
            owner = (
                user.pk if user is not None and user.pk in side.feeds else side.therapist.user.pk
            )
            values[name] = side.feeds[owner]
        elif resource == "auth":
            owner = (
                user.pk if user is not None and user.pk in side.tokens else side.therapist.user.pk
            )
            values[name] = side.tokens[owner][0]
        else:
            return None
    return values
