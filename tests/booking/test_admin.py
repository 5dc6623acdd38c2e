"""The Django admin: pages render, clinic admins see only their clinics, actions call services.

Derby (the `clinic` fixture) has Adam as clinic admin; Nottingham (`other_clinic`) is another
clinic whose rows Adam must not see. Time is frozen at Monday 1 March 2027 09:00 UTC.
"""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.forms import FileField
from django.urls import reverse

from booking import services
from booking.management.demo_data import CLINIC_ADMIN_GROUP
from booking.models import Block, BookingStatus, CancellationReason, WorkingHours
from tests.factories import PatientFactory, RoomFactory, TherapistFactory, TreatmentFactory

BOOKING_LIST = reverse("admin:booking_booking_changelist")
MODELS = [
    "clinic",
    "openinghours",
    "room",
    "roomfeature",
    "qualification",
    "therapist",
    "workinghours",
    "block",
    "treatment",
    "patient",
    "clinicmembership",
    "booking",
    "idempotencykey",
]


@pytest.fixture
def derby_booking(massage, patient, frozen_now):
    return services.book_session(
        treatment=massage,
        start=datetime(2027, 3, 2, 10, tzinfo=UTC),
        patient=patient,
        apply_policy=False,
    )


@pytest.fixture
def nottingham_booking(other_clinic, other_therapist, frozen_now):
    RoomFactory(clinic=other_clinic, name="Room A")
    return services.book_session(
        treatment=TreatmentFactory(clinic=other_clinic),
        start=datetime(2027, 3, 2, 11, tzinfo=UTC),
        patient=PatientFactory(clinic=other_clinic, first_name="Nina", last_name="Nottingham"),
        apply_policy=False,
    )


@pytest.fixture
def superuser_client(client, admin_user, frozen_now):
    """Logged in after the clock is frozen, so the session has not expired by "now"."""
    client.force_login(admin_user)
    return client


@pytest.fixture
def derby_admin(clinic_admin):
    """Adam as the seed and the docs set a clinic admin up: staff, in the "Clinic admins" group."""
    clinic_admin.is_staff = True
    clinic_admin.save()
    clinic_admin.groups.add(Group.objects.get(name=CLINIC_ADMIN_GROUP))
    return clinic_admin


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def change_form_data(response) -> dict:
    """The POST body that saves an admin change form unchanged (main form and inlines)."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name, field in form.fields.items():
            if isinstance(field, FileField):
                continue  # a browser never sends a stored file back
            value = field.prepare_value(form[name].value())
            if value is None or value is False:
                continue
            if isinstance(value, list):
                # A browser can only send back the choices the widget offered.
                offered = {str(pk) for pk in field.queryset.values_list("pk", flat=True)}
                value = [pk for pk in value if str(pk) in offered]
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


@pytest.mark.parametrize("model", MODELS)
def test_superuser_sees_every_admin_list(
    superuser_client, model, derby_booking, nottingham_booking
):
    response = superuser_client.get(reverse(f"admin:booking_{model}_changelist"))

    assert response.status_code == 200


def test_booking_change_form_leaves_only_the_notes_editable(superuser_client, derby_booking):
    response = superuser_client.get(
        reverse("admin:booking_booking_change", args=[derby_booking.pk])
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.fields) == ["notes"]


def test_clinic_admin_sees_only_their_clinics_bookings(
    client, derby_admin, derby_booking, nottingham_booking
):
    client.force_login(derby_admin)

    response = client.get(BOOKING_LIST)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [derby_booking]


def test_clinic_admin_cannot_open_another_clinics_booking(client, derby_admin, nottingham_booking):
    client.force_login(derby_admin)

    response = client.get(reverse("admin:booking_booking_change", args=[nottingham_booking.pk]))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_staff_user_outside_the_clinic_admin_group_is_refused(client, clinic_admin, derby_booking):
    clinic_admin.is_staff = True
    clinic_admin.save()
    client.force_login(clinic_admin)

    assert client.get(BOOKING_LIST).status_code == 403


def test_cancel_action_cancels_through_the_service(client, derby_admin, derby_booking):
    client.force_login(derby_admin)

    response = client.post(
        BOOKING_LIST,
        {"action": "cancel_bookings", "_selected_action": [derby_booking.pk]},
        follow=True,
    )

    derby_booking.refresh_from_db()
    assert derby_booking.status == BookingStatus.CANCELLED
    assert derby_booking.cancelled_by == derby_admin
    assert derby_booking.cancellation_reason == CancellationReason.CLINIC
    assert derby_booking.version == 2
    assert "1 booking cancelled." in messages_of(response)


def test_cancel_action_reports_a_refusal_and_changes_nothing(superuser_client, derby_booking):
    services.cancel_booking(booking=derby_booking, apply_policy=False)

    response = superuser_client.post(
        BOOKING_LIST,
        {"action": "cancel_bookings", "_selected_action": [derby_booking.pk]},
        follow=True,
    )

    derby_booking.refresh_from_db()
    assert derby_booking.version == 2
    assert any("cannot become cancelled" in message for message in messages_of(response))


def test_cancel_action_cannot_reach_another_clinics_booking(
    client, derby_admin, nottingham_booking
):
    client.force_login(derby_admin)

    client.post(
        BOOKING_LIST, {"action": "cancel_bookings", "_selected_action": [nottingham_booking.pk]}
    )

    nottingham_booking.refresh_from_db()
    assert nottingham_booking.status == BookingStatus.CONFIRMED


def test_no_show_action_before_the_session_reports_the_rule(superuser_client, derby_booking):
    response = superuser_client.post(
        BOOKING_LIST,
        {"action": "mark_no_shows", "_selected_action": [derby_booking.pk]},
        follow=True,
    )

    derby_booking.refresh_from_db()
    assert derby_booking.status == BookingStatus.CONFIRMED
    assert any("15 minutes after the start" in message for message in messages_of(response))


def test_adding_a_block_over_a_booked_session_is_refused(
    superuser_client, therapist, derby_booking
):
    response = superuser_client.post(
        reverse("admin:booking_block_add"),
        {
            "therapist": therapist.pk,
            "start_0": "2027-03-02",
            "start_1": "09:00",
            "end_0": "2027-03-02",
            "end_1": "12:00",
            "reason": "Course",
        },
    )

    assert response.status_code == 200
    assert "fall in that time" in str(response.context["adminform"].form.non_field_errors())
    assert not Block.objects.exists()


def test_adding_a_free_block_records_who_added_it(superuser_client, therapist, derby_booking):
    response = superuser_client.post(
        reverse("admin:booking_block_add"),
        {
            "therapist": therapist.pk,
            "start_0": "2027-03-03",
            "start_1": "09:00",
            "end_0": "2027-03-03",
            "end_1": "12:00",
            "reason": "Course",
        },
    )

    assert response.status_code == 302
    block = Block.objects.get()
    assert block.therapist == therapist
    assert block.created_by.username == "admin"


def test_clinic_admin_editing_a_shared_therapist_keeps_their_other_clinic(
    client, derby_admin, clinic, other_clinic
):
    shared = TherapistFactory(first_name="Sam", last_name="Shared", clinics=[clinic, other_clinic])
    url = reverse("admin:booking_therapist_change", args=[shared.pk])
    client.force_login(derby_admin)
    form = client.get(url)
    data = change_form_data(form)
    data["bio"] = "Now also runs the Saturday class."

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    shared.refresh_from_db()
    assert shared.bio == "Now also runs the Saturday class."
    assert set(shared.clinics.all()) == {clinic, other_clinic}
    assert WorkingHours.objects.filter(therapist=shared, clinic=other_clinic).count() == 7


def test_clinic_admin_turns_on_sharing_clinical_records_in_the_admin(client, derby_admin, clinic):
    client.force_login(derby_admin)
    url = reverse("admin:booking_clinic_change", args=[clinic.pk])
    form = client.get(url)
    assert "share_clinical_records" in form.context["adminform"].form.fields

    saved = client.post(url, {**change_form_data(form), "share_clinical_records": "on"})

    assert saved.status_code == 302, saved.context["adminform"].form.errors
    clinic.refresh_from_db()
    assert clinic.share_clinical_records is True


def test_deactivating_a_therapist_with_bookings_to_come_lists_them(
    client, derby_admin, therapist, derby_booking
):
    url = reverse("admin:booking_therapist_change", args=[therapist.pk])
    client.force_login(derby_admin)
    data = change_form_data(client.get(url))
    data.pop("is_active")

    response = client.post(url, data, follow=True)

    therapist.refresh_from_db()
    assert not therapist.is_active
    [warning] = [m for m in messages_of(response) if "still has" in m]
    assert "Tess Physio is now inactive but still has 1 booking to come" in warning
    assert "Tue 2 Mar 2027 10:00</a>: Pat Jones, Sports massage (Derby Physio)" in warning
    assert reverse("admin:booking_booking_change", args=[derby_booking.pk]) in warning
    derby_booking.refresh_from_db()
    assert derby_booking.status == BookingStatus.CONFIRMED


def test_deactivating_a_room_without_bookings_to_come_warns_of_nothing(superuser_client, clinic):
    gym = RoomFactory(clinic=clinic, name="Gym")
    url = reverse("admin:booking_room_change", args=[gym.pk])
    data = change_form_data(superuser_client.get(url))
    data.pop("is_active")

    response = superuser_client.post(url, data, follow=True)

    gym.refresh_from_db()
    assert not gym.is_active
    assert not [m for m in messages_of(response) if "still has" in m]
