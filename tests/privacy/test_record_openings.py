"""privacy.selectors.record_openings: one line per reader and day, newest first, with a role."""

from datetime import UTC, date, datetime

import pytest

from audit.services import record_read
from booking.models import ClinicMembership
from privacy.selectors import record_openings
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def read_at(time_machine, when: datetime, user, patient) -> None:
    time_machine.move_to(when)
    record_read(user, patient, "treatment_plan", 1)


def test_reads_are_grouped_by_person_and_local_day_newest_first(
    patient, therapist, tess_user, time_machine
):
    # 23:30 UTC on 31 May is 00:30 on 1 June in London (BST): the clinic's day counts.
    read_at(time_machine, datetime(2027, 5, 31, 23, 30, tzinfo=UTC), tess_user, patient)
    read_at(time_machine, datetime(2027, 6, 1, 9, 0, tzinfo=UTC), tess_user, patient)
    read_at(time_machine, datetime(2027, 5, 20, 9, 0, tzinfo=UTC), tess_user, patient)

    openings = record_openings(patient)

    assert [(o.day, o.times, o.role) for o in openings] == [
        (date(2027, 6, 1), 2, "Physiotherapist"),
        (date(2027, 5, 20), 1, "Physiotherapist"),
    ]


def test_a_reader_who_left_the_clinic_is_shown_as_former_staff(patient, clinic, time_machine):
    leaver = UserFactory(username="lee", first_name="Lee", last_name="Gone")
    MembershipFactory(user=leaver, clinic=clinic, role="receptionist")
    read_at(time_machine, datetime(2027, 3, 1, 9, tzinfo=UTC), leaver, patient)
    ClinicMembership.objects.filter(user=leaver).delete()

    [opening] = record_openings(patient)

    assert (opening.name, opening.role) == ("Lee Gone", "Former staff member")


def test_the_list_is_capped(patient, tess_user, therapist, time_machine):
    for day in range(1, 6):
        read_at(time_machine, datetime(2027, 3, day, 9, tzinfo=UTC), tess_user, patient)

    assert len(record_openings(patient, limit=3)) == 3


def test_a_login_that_is_an_email_address_is_never_shown(patient, clinic, time_machine):
    reader = UserFactory(username="front.desk@derbyphysio.example")
    MembershipFactory(user=reader, clinic=clinic, role="admin")
    read_at(time_machine, datetime(2027, 3, 1, 9, tzinfo=UTC), reader, patient)

    [opening] = record_openings(patient)

    assert (opening.name, opening.role) == ("A member of staff", "Clinic admin")


def test_a_therapist_is_shown_by_their_own_name(patient, therapist, tess_user, time_machine):
    read_at(time_machine, datetime(2027, 3, 1, 9, tzinfo=UTC), tess_user, patient)

    [opening] = record_openings(patient)

    assert (opening.name, opening.role) == ("Tess Physio", "Physiotherapist")
