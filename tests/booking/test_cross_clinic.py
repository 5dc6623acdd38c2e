"""One clinic's staff cannot reach into another clinic: not its patients (by booking them in),
not its rooms or therapists (by blocking their time), not its bookings (through a 409's list),
and not a shared therapist's other clinics (by editing or deleting them).

Derby has Rhea (reception), Adam (admin) and Tess; Nottingham has Rory (reception) and Nora.
Time is frozen at Monday 1 March 2027 09:00 UTC.
"""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from booking import services
from booking.management.demo_data import CLINIC_ADMIN_GROUP
from booking.models import Block, Booking, Therapist
from tests.factories import (
    MembershipFactory,
    PatientFactory,
    RoomFactory,
    TherapistFactory,
    TreatmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.usefixtures("frozen_now")

BOOKINGS = "/api/v1/bookings/"
BLOCKS = "/api/v1/blocks/"


@pytest.fixture
def nina(other_clinic):
    """A Nottingham patient Derby has never seen."""
    return PatientFactory(clinic=other_clinic, first_name="Nina", last_name="Nottingham")


class TestNamingPatients:
    def _book(self, api, user, treatment, patient_id):
        return api(user).post(
            BOOKINGS,
            {"treatment": treatment.pk, "start": "2027-03-02T10:00:00Z", "patient": patient_id},
        )

    def test_reception_cannot_book_in_another_clinics_patient(
        self, api, receptionist, massage, nina
    ):
        response = self._book(api, receptionist, massage, nina.pk)

        assert response.status_code == 400
        assert not Booking.objects.exists()
        # And so the patient's details stay out of Derby's reach.
        assert api(receptionist).get(f"/api/v1/patients/{nina.pk}/").status_code == 404

    def test_an_invisible_patient_is_answered_like_an_unknown_one(
        self, api, receptionist, massage, nina
    ):
        invisible = self._book(api, receptionist, massage, nina.pk)
        unknown = self._book(api, receptionist, massage, 999_999)

        assert invisible.status_code == unknown.status_code == 400
        assert invisible.json()["error"]["code"] == unknown.json()["error"]["code"] == "invalid"
        wording = invisible.json()["error"]["fields"]["patient"][0]
        assert wording == unknown.json()["error"]["fields"]["patient"][0].replace(
            "999999", str(nina.pk)
        )

    def test_a_therapist_cannot_book_in_another_clinics_patient(
        self, api, therapist, massage, nina
    ):
        response = self._book(api, therapist.user, massage, nina.pk)

        assert response.status_code == 400
        assert not Booking.objects.exists()

    def test_a_patient_who_booked_here_before_may_be_booked_again(
        self, api, receptionist, massage, nina, book
    ):
        # Nina once booked a Derby session online: Derby's reception sees her and may book her.
        book(massage, nina, "2027-03-03T10:00")

        response = self._book(api, receptionist, massage, nina.pk)

        assert response.status_code == 201, response.json()

    def test_moving_a_patient_to_your_clinic_needs_their_clinic_too(
        self, api, receptionist, massage, nina, clinic, book
    ):
        book(massage, nina, "2027-03-03T10:00")  # visible to Derby from now on

        response = api(receptionist).patch(f"/api/v1/patients/{nina.pk}/", {"clinic": clinic.pk})

        assert response.status_code == 403
        nina.refresh_from_db()
        assert nina.clinic.slug == "nottingham"


@pytest.fixture
def shared_therapist(clinic, other_clinic):
    """Sam works at both Derby and Nottingham."""
    return TherapistFactory(
        first_name="Sam",
        last_name="Shared",
        user=UserFactory(username="sam"),
        clinics=[clinic, other_clinic],
    )


class TestBlocks:
    def _block(self, api, user, **subject):
        return api(user).post(
            BLOCKS, {"start": "2027-03-03T09:00:00Z", "end": "2027-03-03T12:00:00Z", **subject}
        )

    def test_reception_cannot_block_another_clinics_room(self, api, receptionist, other_clinic):
        room = RoomFactory(clinic=other_clinic, name="Room A")

        assert self._block(api, receptionist, room=room.pk).status_code == 403
        assert not Block.objects.exists()

    def test_reception_cannot_block_another_clinics_therapist(
        self, api, receptionist, other_therapist
    ):
        assert self._block(api, receptionist, therapist=other_therapist.pk).status_code == 403
        assert not Block.objects.exists()

    def test_naming_your_clinic_does_not_reach_another_clinics_room_or_therapist(
        self, api, receptionist, clinic, other_clinic, other_therapist
    ):
        room = RoomFactory(clinic=other_clinic, name="Room A")

        assert self._block(api, receptionist, clinic=clinic.pk, room=room.pk).status_code == 403
        assert (
            self._block(
                api, receptionist, clinic=clinic.pk, therapist=other_therapist.pk
            ).status_code
            == 403
        )
        assert not Block.objects.exists()

    def test_reception_blocks_their_own_room_and_therapist(
        self, api, receptionist, clinic, room, therapist
    ):
        assert self._block(api, receptionist, room=room.pk).status_code == 201
        assert (
            self._block(api, receptionist, clinic=clinic.pk, therapist=therapist.pk).status_code
            == 201
        )

    def test_a_clash_lists_only_the_callers_own_bookings(
        self, api, receptionist, clinic, other_clinic, shared_therapist
    ):
        RoomFactory(clinic=clinic, name="Room 1", features=["couch"])
        RoomFactory(clinic=other_clinic, name="Room A", features=["couch"])
        derby = services.book_session(
            treatment=TreatmentFactory(clinic=clinic),
            start=datetime(2027, 3, 3, 9, tzinfo=UTC),
            patient=PatientFactory(clinic=clinic),
            therapist=shared_therapist,
            apply_policy=False,
        )
        services.book_session(
            treatment=TreatmentFactory(clinic=other_clinic),
            start=datetime(2027, 3, 3, 11, tzinfo=UTC),
            patient=PatientFactory(clinic=other_clinic),
            therapist=shared_therapist,
            apply_policy=False,
        )

        response = self._block(api, receptionist, therapist=shared_therapist.pk)

        assert response.status_code == 409
        assert response.json()["error"]["details"] == {"bookings": [derby.pk]}
        assert "1 at another clinic" in response.json()["error"]["message"]


class TestSharedTherapist:
    def test_admin_cannot_remove_a_therapist_from_another_clinic(
        self, api, clinic_admin, clinic, shared_therapist
    ):
        response = api(clinic_admin).patch(
            f"/api/v1/therapists/{shared_therapist.pk}/", {"clinics": [clinic.pk]}
        )

        assert response.status_code == 403
        assert shared_therapist.clinics.count() == 2

    def test_admin_cannot_delete_a_therapist_who_works_elsewhere_too(
        self, api, clinic_admin, shared_therapist
    ):
        response = api(clinic_admin).delete(f"/api/v1/therapists/{shared_therapist.pk}/")

        assert response.status_code == 403
        assert Therapist.objects.filter(pk=shared_therapist.pk).exists()

    def test_admin_of_both_clinics_may_do_either(
        self, api, clinic_admin, clinic, other_clinic, shared_therapist
    ):
        MembershipFactory(user=clinic_admin, clinic=other_clinic, role="admin")

        moved = api(clinic_admin).patch(
            f"/api/v1/therapists/{shared_therapist.pk}/", {"clinics": [clinic.pk]}
        )

        assert moved.status_code == 200, moved.json()
        assert list(shared_therapist.clinics.values_list("slug", flat=True)) == ["derby"]

    def test_admin_may_still_edit_the_therapists_other_details(
        self, api, clinic_admin, shared_therapist
    ):
        response = api(clinic_admin).patch(
            f"/api/v1/therapists/{shared_therapist.pk}/", {"bio": "Knees and shoulders."}
        )

        assert response.status_code == 200

    def test_django_admin_refuses_to_delete_a_therapist_who_works_elsewhere_too(
        self, client, clinic_admin, shared_therapist
    ):
        clinic_admin.is_staff = True
        clinic_admin.save()
        clinic_admin.groups.add(Group.objects.get(name=CLINIC_ADMIN_GROUP))
        client.force_login(clinic_admin)

        single = client.post(
            reverse("admin:booking_therapist_delete", args=[shared_therapist.pk]), {"post": "yes"}
        )
        bulk = client.post(
            reverse("admin:booking_therapist_changelist"),
            {"action": "delete_selected", "_selected_action": [shared_therapist.pk], "post": "yes"},
        )

        assert single.status_code == 403
        assert bulk.status_code in (200, 302)
        assert Therapist.objects.filter(pk=shared_therapist.pk).exists()
