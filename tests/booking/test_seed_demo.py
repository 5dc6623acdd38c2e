"""`manage.py seed_demo` loads the promised demo, obeys the diary's rules and is safe to rerun.

Seeding takes seconds, so the module seeds once (`seeded`) inside a transaction that is rolled
back when the module ends; each test still runs in its own savepoint, as `db` tests always do.
"""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from booking.management.demo_data import CLINIC_ADMIN_GROUP, DEMO_PASSWORD
from booking.models import (
    Booking,
    BookingStatus,
    Clinic,
    ClinicMembership,
    OpeningHours,
    Patient,
    PatientType,
    Qualification,
    Room,
    RoomFeature,
    StaffRole,
    Therapist,
    Treatment,
    WorkingHours,
)

User = get_user_model()
COUNTED = [
    Clinic,
    OpeningHours,
    Room,
    RoomFeature,
    Qualification,
    Therapist,
    WorkingHours,
    Treatment,
    Patient,
    Booking,
    User,
    ClinicMembership,
]


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module; yields what the command printed."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_demo()
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_seed_demo_loads_two_clinics_with_rooms_staff_patients_and_bookings(seeded):

    assert set(Clinic.objects.values_list("slug", flat=True)) == {"derby", "nottingham"}
    assert Room.objects.count() == 8
    assert Therapist.objects.count() == 6
    assert set(Therapist.objects.values_list("profession", flat=True)) == {
        "physiotherapist",
        "sports_therapist",
        "sports_masseur",
    }
    at_both = [t for t in Therapist.objects.all() if t.clinics.count() == 2]
    assert at_both, "some therapists work at both clinics"
    assert Patient.objects.count() >= 50
    assert Booking.objects.count() >= 200
    group_class = Treatment.objects.get(clinic__slug="derby", name="Group rehab class")
    assert group_class.capacity == 6
    assert list(group_class.required_room_features.values_list("code", flat=True)) == ["gym_space"]
    assert Treatment.objects.filter(online_bookable=False).exists()


def test_seed_demo_settles_past_sessions_and_leaves_future_ones_confirmed(seeded):
    now = timezone.now()

    past_statuses = set(Booking.objects.filter(end__lte=now).values_list("status", flat=True))
    assert BookingStatus.COMPLETED in past_statuses
    assert past_statuses <= {
        BookingStatus.COMPLETED,
        BookingStatus.NO_SHOW,
        BookingStatus.CANCELLED,
    }
    future = Booking.objects.filter(start__gt=now)
    assert future.exists()
    assert set(future.values_list("status", flat=True)) == {BookingStatus.CONFIRMED}


def test_seed_demo_creates_a_login_for_every_role(seeded):
    output = seeded

    superuser = User.objects.get(username="superuser")
    assert superuser.is_superuser
    assert superuser.check_password(DEMO_PASSWORD)

    admin_memberships = ClinicMembership.objects.filter(role=StaffRole.ADMIN).select_related("user")
    assert {m.clinic.slug for m in admin_memberships} == {"derby", "nottingham"}
    for membership in admin_memberships:
        assert membership.user.is_staff
        assert not membership.user.is_superuser
        assert membership.user.groups.filter(name=CLINIC_ADMIN_GROUP).exists()

    assert ClinicMembership.objects.filter(role=StaffRole.RECEPTIONIST).exists()
    therapist_user = User.objects.get(username="sarah.whitfield")
    assert therapist_user.therapist.full_name == "Sarah Whitfield"
    assert (
        ClinicMembership.objects.filter(user=therapist_user, role=StaffRole.THERAPIST).count() == 2
    )
    patient_user = User.objects.get(username="emily.clarke")
    assert patient_user.patient.full_name == "Emily Clarke"
    assert not patient_user.is_staff

    for username in [
        "superuser",
        "derby-admin",
        "derby-reception",
        "sarah.whitfield",
        "emily.clarke",
    ]:
        assert username in output
    assert DEMO_PASSWORD in output


def test_running_seed_demo_twice_changes_no_counts(seeded):
    first = counts()

    output = seed_demo()

    assert counts() == first
    assert "leaving the diary alone" in output


def test_seed_demo_never_double_books_a_therapist_room_or_patient(seeded):
    active = Booking.objects.exclude(status=BookingStatus.CANCELLED)

    # Therapists and rooms are taken for the buffers too; a patient only for the session.
    for who, starts, ends in [
        ("therapist_id", "blocked_start", "blocked_end"),
        ("room_id", "blocked_start", "blocked_end"),
        ("patient_id", "start", "end"),
    ]:
        rows = sorted(active.values_list(who, starts, ends, "session_key"))
        for (a_who, _, a_end, a_session), (b_who, b_start, _, b_session) in zip(
            rows, rows[1:], strict=False
        ):
            if a_who == b_who and a_session != b_session:
                assert b_start >= a_end, f"{who} {a_who} is booked twice at {b_start}"


def test_seed_demo_starts_every_patient_with_a_session_open_to_new_patients(seeded):
    first_seen: set[tuple[int, int]] = set()

    active = Booking.objects.exclude(status=BookingStatus.CANCELLED).select_related("treatment")
    for booking in active.order_by("start"):
        key = (booking.patient_id, booking.clinic_id)
        if key not in first_seen:
            assert booking.treatment.patient_type != PatientType.FOLLOW_UP
            first_seen.add(key)
        else:
            assert booking.treatment.patient_type != PatientType.NEW


def test_seed_demo_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    before = counts()

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())

    assert counts() == before
