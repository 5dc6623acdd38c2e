"""GET /api/v1/patients/{id}/export/: who may export, what the document holds, what is recorded."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import DataRightsEvent, RecordRead
from booking.services import book_session
from tests.factories import MembershipFactory
from tests.plans.conftest import book_past_session
from tests.privacy.conftest import user_of
from tests.sessionnotes.conftest import complete_note, massage_record

pytestmark = pytest.mark.django_db


def export_url(patient) -> str:
    return f"/api/v1/patients/{patient.pk}/export/"


class TestWhoMayExport:
    @pytest.mark.parametrize(
        ("who", "status"),
        [
            ("clinic_admin", 200),
            ("superuser", 200),
            ("patient_user", 200),  # their own: subject access
            ("other_clinic_admin", 404),  # cannot tell the patient exists
            ("receptionist", 403),
            ("therapist", 403),  # treats Pat, but exporting is for admins
            ("other_patient", 404),
            ("anonymous", 401),
        ],
    )
    def test_each_role(self, api, record, request, who, status):
        response = api(user_of(request, who)).get(export_url(record.patient))

        assert response.status_code == status, response.json()
        if status != 200:
            assert response.json()["error"]["code"] in (
                "permission_denied",
                "not_found",
                "not_authenticated",
            )
            assert not DataRightsEvent.objects.exists()

    def test_an_unknown_patient_is_404_like_an_invisible_one(self, api, clinic_admin, record):
        response = api(clinic_admin).get("/api/v1/patients/999999/export/")
        assert response.status_code == 404


def test_the_patients_own_copy_holds_everything(api, record, patient_user):
    body = api(patient_user).get(export_url(record.patient)).json()

    assert body["complete"] is True
    assert body["withheld"] == []
    assert body["patient"]["first_name"] == "Pat"
    assert body["patient"]["email"] == "pat@example.com"
    assert body["patient"]["date_of_birth"] == "1990-06-12"
    assert body["account"]["username"] == "pat"
    assert {b["id"] for b in body["bookings"]} == {record.past.pk, record.upcoming.pk}
    upcoming = next(b for b in body["bookings"] if b["id"] == record.upcoming.pk)
    assert upcoming["treatment_name"] == "Sports massage"
    assert upcoming["therapist_name"] == "Tess Physio"
    [screening] = body["screenings"]
    assert screening["answers"]
    assert screening["consents"][0]["scope"] == "Upper trapezius"
    [plan] = body["plans"]
    assert plan["id"] == record.plan.pk
    assert plan["goals"][0]["description"] == "Pain at most 2/10"
    [plan_phase] = plan["phases"]
    assert plan_phase["components"][0]["treatment_name"] == "Sports massage"
    assert plan_phase["prescriptions"][0]["exercise_name"] == "Chin tuck"
    assert len(plan["sessions"]) == 2
    assert body["outcomes"][0]["value"] == "5.00"
    assert body["exercise_logs"][0]["sets_done"] == 3
    [note] = body["session_notes"]
    assert note["id"] == record.note_id
    assert note["objective"] == "Tender right upper trapezius, rotation 60 degrees."
    assert {r["kind"] for r in note["records"]} == {"dry_needling", "sports_massage"}
    assert note["amendments"][0]["reason"] == "Wrong side recorded."
    confirmation = next(m for m in body["messages"] if m["kind"] == "confirmation" and m["sent_at"])
    assert confirmation["status"] == "sent"
    assert confirmation["channel"] == "email"
    assert confirmation["sent_to"] == "pat@example.com"
    assert body["feeds"] == [
        {"label": "My appointments", "created_at": "2027-03-01T09:00:00Z", "rotated_at": None}
    ]
    actions = {(e["action"], e["object_type"]) for e in body["audit"]}
    assert ("created", "patient") in actions
    assert ("read", "session_note") in actions  # Tess wrote and read the note


def test_the_patients_own_copy_shows_clinical_values_in_the_trail(api, record, patient_user):
    body = api(patient_user).get(export_url(record.patient)).json()

    plan_created = next(
        e for e in body["audit"] if e["object_type"] == "plan" and e["action"] == "created"
    )
    condition = next(c for c in plan_created["changes"] if c["field"] == "condition")
    assert condition == {"field": "condition", "old": None, "new": "neck_pain", "redacted": False}


def test_the_patients_download_is_recorded_as_a_subject_access_export(api, record, patient_user):
    reads_before = RecordRead.objects.count()

    api(patient_user).get(export_url(record.patient))

    event = DataRightsEvent.objects.get()
    assert (event.action, event.object_type) == ("exported", "subject_access_export")
    assert event.actor == patient_user
    assert event.actor_name == "the patient"
    assert event.patient_id == record.patient.pk
    assert RecordRead.objects.count() == reads_before  # the patient's own reads are not staff reads
    trail = api(patient_user).get(export_url(record.patient)).json()["audit"]
    assert trail[0]["action"] == "exported"
    assert trail[0]["object_type"] == "subject_access_export"


def test_an_admin_outside_the_care_team_gets_no_clinical_content_and_is_told(
    api, record, clinic_admin
):
    reads_before = RecordRead.objects.count()

    body = api(clinic_admin).get(export_url(record.patient)).json()

    assert body["complete"] is False
    for section in ("screenings", "plans", "outcomes", "exercise_logs", "session_notes"):
        assert body[section] == []
    assert {w["section"]: w["count"] for w in body["withheld"]} == {
        "screenings": 1,
        "plans": 1,
        "outcomes": 1,
        "exercise_logs": 1,
        "session_notes": 1,
    }
    # Details, bookings and messages are the admin's to see.
    assert body["patient"]["email"] == "pat@example.com"
    assert len(body["bookings"]) == 2
    assert body["messages"]
    # The trail hides clinical values from them, as the audit listing does.
    plan_created = next(
        e for e in body["audit"] if e["object_type"] == "plan" and e["action"] == "created"
    )
    condition = next(c for c in plan_created["changes"] if c["field"] == "condition")
    assert condition["redacted"] is True
    assert condition["new"] is None
    assert RecordRead.objects.count() == reads_before
    event = DataRightsEvent.objects.get()
    assert (event.object_type, event.actor, event.details) == (
        "record_export",
        clinic_admin,
        [{"field": "complete", "old": None, "new": False}],
    )


def test_staff_in_the_care_team_get_everything_and_each_record_read_is_logged(
    api, record, clinic, therapist
):
    # Tess also administers the clinic: she may export, and she treats Pat.
    MembershipFactory(user=therapist.user, clinic=clinic, role="admin")
    before = set(RecordRead.objects.values_list("pk", flat=True))

    body = api(therapist.user).get(export_url(record.patient)).json()

    assert body["complete"] is True
    assert body["session_notes"][0]["id"] == record.note_id
    reads = RecordRead.objects.exclude(pk__in=before)
    assert {(r.object_type, r.object_id) for r in reads} == {
        ("needling_screening", body["screenings"][0]["id"]),
        ("treatment_plan", record.plan.pk),
        ("outcome_record", record.outcome.pk),
        ("exercise_logs", record.plan.pk),
        ("session_note", record.note_id),
    }
    assert {r.actor_id for r in reads} == {therapist.user.pk}
    assert {r.channel for r in reads} == {"api"}


def test_a_superuser_gets_everything_with_the_reads_logged(api, record, superuser):
    before = RecordRead.objects.count()

    body = api(superuser).get(export_url(record.patient)).json()

    assert body["complete"] is True
    assert RecordRead.objects.count() == before + 5


def test_download_answers_as_a_json_file(api, record, clinic_admin):
    response = api(clinic_admin).get(export_url(record.patient), {"download": "1"})

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="physiodesk-data-{record.patient.pk}-20270301.json"'
    )


def _add_history(api, record, massage, therapist, n: int) -> None:
    """n more massage sessions that took place, each with a signed note, and n bookings ahead."""
    for i in range(n):
        start = datetime(2027, 2, 1, 10, tzinfo=UTC) + timedelta(days=i)
        booking = book_past_session(massage, record.patient, therapist, start)
        note = api(therapist.user).post(
            "/api/v1/session-notes/",
            complete_note(booking, records=[massage_record()]),
            format="json",
        )
        assert note.status_code == 201, note.json()
        ahead = datetime(2027, 4, 1, 10, tzinfo=UTC) + timedelta(days=i)
        book_session(
            treatment=massage,
            start=ahead,
            patient=record.patient,
            therapist=therapist,
            apply_policy=False,
        )


def _queries(api, user, patient) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api(user).get(export_url(patient))
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_bookings_and_notes(
    api, record, massage, therapist, superuser
):
    few = _queries(api, superuser, record.patient)
    _add_history(api, record, massage, therapist, 6)

    many = _queries(api, superuser, record.patient)

    body = api(superuser).get(export_url(record.patient)).json()
    assert len(body["bookings"]) == 14
    assert len(body["session_notes"]) == 7
    assert many == few
    print(f"\nexport: {many} queries for 14 bookings and 7 notes, {few} for 2 and 1")


def test_the_schema_describes_the_document(api):
    schema = api(None).get("/api/v1/schema/?format=json").json()

    export = schema["components"]["schemas"]["ExportOut"]["properties"]
    for section in (
        "patient",
        "bookings",
        "screenings",
        "plans",
        "outcomes",
        "exercise_logs",
        "session_notes",
        "messages",
        "feeds",
        "audit",
        "withheld",
    ):
        assert section in export
    assert "objective" in schema["components"]["schemas"]["ExportSessionNoteOut"]["properties"]
