"""The patient's side: "Download my data" on the appointments page, and who has opened their
clinical record on the plan and appointments pages (names, roles and dates only)."""

import json

import pytest

from audit.models import AuditChannel, DataRightsEvent
from audit.services import record_read
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, record):
    client.force_login(record.patient.user)
    return client


def test_the_appointments_page_offers_the_download(signed_in):
    page = signed_in.get("/appointments/").content.decode()

    assert 'href="/appointments/my-data/"' in page
    assert "Download my data" in page


def test_the_download_is_the_complete_document_as_a_file(signed_in, record):
    response = signed_in.get("/appointments/my-data/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="physiodesk-data-{record.patient.pk}-20270301.json"'
    )
    body = json.loads(response.content)
    assert body["complete"] is True
    assert body["patient"]["last_name"] == "Jones"
    assert body["session_notes"][0]["id"] == record.note_id
    assert body["plans"][0]["id"] == record.plan.pk


def test_the_download_is_recorded_as_a_subject_access_export_through_the_web(signed_in, record):
    signed_in.get("/appointments/my-data/")

    event = DataRightsEvent.objects.get()
    assert (event.action, event.object_type, event.channel) == (
        "exported",
        "subject_access_export",
        AuditChannel.WEB,
    )
    assert event.patient_id == record.patient.pk


def test_signed_out_visitors_are_sent_to_sign_in(client, record):
    response = client.get("/appointments/my-data/")

    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]
    assert not DataRightsEvent.objects.exists()


def test_staff_have_no_download_of_their_own(client, record, receptionist):
    client.force_login(receptionist)

    assert client.get("/appointments/my-data/").status_code == 404
    assert not DataRightsEvent.objects.exists()


def test_the_plan_page_shows_who_opened_the_record_with_role_and_date(
    signed_in, record, clinic, therapist, time_machine
):
    root = UserFactory(username="root", is_superuser=True, first_name="Sam", last_name="Root")
    admin_therapist = UserFactory(username="ada", first_name="Ada", last_name="Lead")
    MembershipFactory(user=admin_therapist, clinic=clinic, role="admin")
    record_read(root, record.patient, "session_note", record.note_id, AuditChannel.ADMIN)
    record_read(admin_therapist, record.patient, "treatment_plan", record.plan.pk)

    page = signed_in.get(f"/appointments/plans/{record.plan.pk}/").content.decode()

    assert "Who has opened your record" in page
    # Tess read the note she wrote through the API (several reads today, one line).
    assert "<td>1 March 2027</td>" in page
    assert "Tess Physio" in page
    assert "Physiotherapist" in page
    assert "Sam Root" in page
    assert "physiodesk support" in page
    assert "Ada Lead" in page
    assert "Clinic admin" in page
    # Names and roles only: no usernames, emails or what they looked at.
    assert "ada@example.test" not in page
    assert "session_note" not in page


def test_the_appointments_page_lists_the_same_openings(signed_in, record):
    page = signed_in.get("/appointments/").content.decode()

    assert "Who has opened your clinical record" in page
    assert "Physiotherapist" in page


def test_a_record_nobody_opened_says_so(client, patient, frozen_now):
    client.force_login(patient.user)

    page = client.get("/appointments/").content.decode()

    assert "No one at the clinic has opened your clinical record yet." in page
