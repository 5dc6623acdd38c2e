"""The reception diary's week and the therapist's page cost a fixed number of queries.

Whatever a week holds (no bookings or forty, several patients, plans, blocks, a colleague's
sessions at another clinic), each page runs the same statements: anything that looks rows up
one booking at a time shows here first. The numbers are exact on purpose: a change that adds a
query to these pages must change them here, knowingly.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from booking.models import Block, WorkingHours
from booking.services import cancel_booking
from plans import services as plans
from tests.factories import (
    ClinicFactory,
    PatientFactory,
    RoomFactory,
    TherapistFactory,
    TreatmentFactory,
)

# Session, user, roles, clinic; the fingerprint (the clinic's therapists, three aggregates); therapists, rooms, opening
# and working hours, the bookings (each with its hover card: patient, plan session, first visit,
# plan phase and sessions to book, all in the same statement), blocks, sessions elsewhere and the
# waiting list; the page's patient list for its dialogs. Columns by room need neither working
# hours nor the therapists' sessions at other clinics. The week is one therapist's or room's.
DIARY_WEEK_QUERIES = {"therapist": 18, "room": 16}
# Session, user, therapist, clinic (time zone); the week's bookings, their treatments'
# qualifications, the patients' histories, the care-team gate and its audit row; planned sessions,
# active plans, visible plans, their prescriptions; the feeds' owners and rows; roles.
THERAPIST_WEEK_QUERIES = 21  # + notes due and the week's note states (one each)

MONDAY = date(2027, 3, 1)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _a_busy_network(clinic, therapist) -> dict:
    """A colleague, a second room, and a second clinic where Tess also works."""
    colleague = TherapistFactory(first_name="Theo", clinics=[clinic])
    RoomFactory(clinic=clinic, name="Room 2", features=["couch"])
    elsewhere = ClinicFactory(name="Leicester Physio", slug="leicester")
    therapist.clinics.add(elsewhere)
    WorkingHours.objects.bulk_create(
        WorkingHours(
            therapist=therapist, clinic=elsewhere, weekday=d, starts=time(8), ends=time(20)
        )
        for d in range(7)
    )
    RoomFactory(clinic=elsewhere, name="Leicester 1", features=["couch", "needling_approved"])
    away = TreatmentFactory(clinic=elsewhere, name="Sports massage")
    return {"colleague": colleague, "elsewhere": elsewhere, "away": away}


def _book_the_week(clinic, massage, therapist, book, network, *, hours: range) -> None:
    """At each of `hours` (UTC) every day: a new patient with Tess and one with her colleague;
    the first of Tess's new patients gets an active treatment plan."""
    planned = False
    for day in range(7):
        for hour in hours:
            start = f"{MONDAY + timedelta(days=day)}T{hour:02d}:00"
            for who in (therapist, network["colleague"]):
                booking = book(massage, PatientFactory(clinic=clinic), start, therapist=who)
                if who == therapist and not planned:
                    _plan_for(booking.patient, clinic, therapist, massage)
                    planned = True


def _plan_for(patient, clinic, therapist, treatment) -> None:
    plan = plans.create_plan(
        patient=patient,
        clinic=clinic,
        lead_therapist=therapist,
        condition="neck_pain",
        title="Neck rehab",
        start_date=MONDAY,
        created_by=therapist.user,
        phases=[
            plans.PhaseSpec(
                name="Settle pain",
                weeks=2,
                components=(plans.ComponentSpec(treatment, sessions=2),),
            )
        ],
    )
    plans.activate_plan(plan=plan, activated_by=therapist.user)


def _and_the_rest(clinic, massage, therapist, book, network) -> None:
    """A cancellation, Tess's session at her other clinic, time off and a room out of use."""
    cancelled = book(
        massage, PatientFactory(clinic=clinic), "2027-03-02T18:00", therapist=therapist
    )
    cancel_booking(booking=cancelled, apply_policy=False)
    book(
        network["away"],
        PatientFactory(clinic=network["elsewhere"]),
        "2027-03-04T18:00",
        therapist=therapist,
    )
    Block.objects.create(
        therapist=network["colleague"],
        start=datetime(2027, 3, 3, 18, tzinfo=UTC),
        end=datetime(2027, 3, 3, 19, tzinfo=UTC),
    )
    Block.objects.create(
        room=clinic.rooms.first(),
        start=datetime(2027, 3, 5, 18, tzinfo=UTC),
        end=datetime(2027, 3, 5, 19, tzinfo=UTC),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("by", ["therapist", "room"])
def test_the_diary_week_costs_a_fixed_number_of_queries(
    receptionist, clinic, massage, therapist, book, frozen_now, by
):
    reception = _signed_in(receptionist)
    resource = therapist.pk if by == "therapist" else clinic.rooms.get().pk
    url = f"/diary/{clinic.slug}/?date={MONDAY.isoformat()}&view=week&{by}={resource}"
    assert _queries(reception, url) == DIARY_WEEK_QUERIES[by]
    network = _a_busy_network(clinic, therapist)
    _book_the_week(clinic, massage, therapist, book, network, hours=range(10, 11))
    _and_the_rest(clinic, massage, therapist, book, network)
    assert _queries(reception, url) == DIARY_WEEK_QUERIES[by]
    _book_the_week(clinic, massage, therapist, book, network, hours=range(11, 14))
    page = reception.get(url).content.decode()
    assert page.count('<div class="item booking status-confirmed') >= 28
    assert _queries(reception, url) == DIARY_WEEK_QUERIES[by]


@pytest.mark.django_db
def test_the_therapist_week_costs_a_fixed_number_of_queries(
    clinic, massage, therapist, book, frozen_now
):
    tess = _signed_in(therapist.user)
    url = f"/therapist/?week={MONDAY.isoformat()}"
    network = _a_busy_network(clinic, therapist)
    _book_the_week(clinic, massage, therapist, book, network, hours=range(10, 11))
    _and_the_rest(clinic, massage, therapist, book, network)
    tess.get(url)  # the first visit creates the therapist's feeds
    assert _queries(tess, url) == THERAPIST_WEEK_QUERIES
    _book_the_week(clinic, massage, therapist, book, network, hours=range(11, 14))
    _plan_for(PatientFactory(clinic=clinic), clinic, therapist, massage)
    assert tess.get(url).content.decode().count("Neck rehab") >= 2
    assert _queries(tess, url) == THERAPIST_WEEK_QUERIES
