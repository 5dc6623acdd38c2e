"""GET /api/v1/audit/: who may read a patient's trail, its shape, filters and query cost."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditChannel
from audit.services import record_read
from tests.conftest import NOW
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

AUDIT = "/api/v1/audit/"


def at(d: int, hour: int) -> datetime:
    return datetime(2027, 3, d, hour, tzinfo=UTC)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


class TestWhoMayRead:
    def test_the_clinics_admin_and_a_superuser_may(self, api, patient, clinic_admin, superuser):
        for user in (clinic_admin, superuser):
            response = api(user).get(AUDIT, {"patient": patient.pk})
            assert response.status_code == 200, response.json()
            assert response.json()["count"] == 1  # the patient's registration

    @pytest.mark.parametrize(
        ("who", "status"),
        # A therapist who never treated the patient cannot see them at all.
        [("receptionist", 403), ("patient_user", 403), ("tess_user", 404)],
    )
    def test_other_people_of_the_clinic_may_not(
        self, api, patient, who, status, request, therapist
    ):
        response = api(request.getfixturevalue(who)).get(AUDIT, {"patient": patient.pk})
        assert response.status_code == status
        assert response.json()["error"]["code"] in ("permission_denied", "not_found")

    def test_another_clinics_admin_cannot_tell_the_patient_exists(self, api, patient, other_clinic):
        admin = MembershipFactory(user=UserFactory(), clinic=other_clinic, role="admin").user
        assert api(admin).get(AUDIT, {"patient": patient.pk}).status_code == 404
        assert api(admin).get(AUDIT, {"patient": 999999}).status_code == 404

    def test_anonymous_is_401(self, api, patient):
        assert api(None).get(AUDIT, {"patient": patient.pk}).status_code == 401

    @pytest.mark.parametrize(
        "params",
        [
            {},
            {"patient": "x"},
            {"patient": "1", "action": "hacked"},
            {"patient": "1", "date_from": "2027-03-02", "date_to": "2027-03-01"},
            {"patient": "1", "date_from": "yesterday"},
        ],
    )
    def test_bad_parameters_are_400(self, api, clinic_admin, params):
        response = api(clinic_admin).get(AUDIT, params)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid"


def test_entries_are_newest_first_with_actor_and_redacted_clinical_values(
    api, patient, clinic_admin, tess_user, therapist, time_machine
):
    time_machine.move_to(at(2, 9))
    record_read(tess_user, patient, "screening", 7, AuditChannel.WEB)
    time_machine.move_to(at(2, 10))
    patient.phone = "07700 900999"
    patient.save()

    body = api(clinic_admin).get(AUDIT, {"patient": patient.pk}).json()
    changed, read, created = body["results"]
    assert changed["action"] == "changed"
    assert changed["changes"] == [
        {"field": "phone", "old": created_phone(created), "new": "07700 900999", "redacted": False}
    ]
    assert read == {
        "at": "2027-03-02T09:00:00Z",
        "actor": {"id": tess_user.pk, "name": tess_user.get_full_name() or "tess"},
        "action": "read",
        "object_type": "screening",
        "object_id": 7,
        "channel": "web",
        "changes": [],
    }
    assert created["action"] == "created"
    assert created["object_type"] == "patient"


def created_phone(created: dict) -> str:
    return next(c["new"] for c in created["changes"] if c["field"] == "phone")


def test_clinical_fields_are_redacted(api, patient, clinic_admin, clinic, therapist):
    from plans.models import TreatmentPlan

    plan = TreatmentPlan.objects.create(
        patient=patient,
        clinic=clinic,
        lead_therapist=therapist,
        condition="low_back_pain",
        condition_notes="Left-sided, irritable",
        start_date=NOW.date(),
    )
    assert plan.history.count() == 1
    body = api(clinic_admin).get(AUDIT, {"patient": patient.pk, "action": "created"}).json()
    plan_entry = next(e for e in body["results"] if e["object_type"] == "plan")
    notes = next(c for c in plan_entry["changes"] if c["field"] == "condition_notes")
    assert notes == {"field": "condition_notes", "old": None, "new": None, "redacted": True}
    status = next(c for c in plan_entry["changes"] if c["field"] == "status")
    assert status["new"] == "draft"
    assert "Left-sided" not in str(body)


def test_filters_by_actor_action_and_clinic_day(
    api, patient, clinic_admin, tess_user, therapist, time_machine
):
    time_machine.move_to(datetime(2027, 3, 2, 23, 30, tzinfo=UTC))
    record_read(tess_user, patient, "plan", 1, AuditChannel.API)
    time_machine.move_to(at(4, 12))
    record_read(clinic_admin, patient, "plan", 1, AuditChannel.API)

    def listed(**params):
        response = api(clinic_admin).get(AUDIT, {"patient": patient.pk, **params})
        return [(e["action"], e["actor"] and e["actor"]["id"]) for e in response.json()["results"]]

    assert listed(actor=tess_user.pk) == [("read", tess_user.pk)]
    assert listed(action="read") == [("read", clinic_admin.pk), ("read", tess_user.pk)]
    # 23:30 UTC on 2 March is 23:30 in London (GMT), so it falls on the 2nd.
    assert listed(date_from="2027-03-02", date_to="2027-03-02") == [("read", tess_user.pk)]
    assert listed(date_from="2027-03-03") == [("read", clinic_admin.pk)]


def test_listing_costs_the_same_queries_for_3_or_60_entries(api, patient, clinic_admin, clinic):
    client = api(clinic_admin)
    readers = [
        MembershipFactory(user=UserFactory(), clinic=clinic, role="therapist").user
        for _ in range(3)
    ]

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(AUDIT, {"patient": patient.pk})
        assert response.status_code == 200
        return len(queries)

    for reader in readers[:2]:
        record_read(reader, patient, "plan", 1, AuditChannel.API)
    few = cost()
    for n in range(57):
        record_read(readers[n % 3], patient, "outcome", n, AuditChannel.API)
        patient.phone = f"0770090{n:04d}"
        patient.save()
    many = cost()
    assert many == few
    # token, memberships, patient, count, page, the page's actors
    assert few <= 6


def test_exports_and_erasure_are_entries_filterable_by_action(api, patient, clinic_admin):
    api(clinic_admin).get(f"/api/v1/patients/{patient.pk}/export/")
    api(clinic_admin).post(f"/api/v1/patients/{patient.pk}/erase/")

    exported = api(clinic_admin).get(AUDIT, {"patient": patient.pk, "action": "exported"}).json()
    erased = api(clinic_admin).get(AUDIT, {"patient": patient.pk, "action": "erased"}).json()

    assert [(e["action"], e["object_type"]) for e in exported["results"]] == [
        ("exported", "record_export")
    ]
    [entry] = erased["results"]
    assert entry["object_type"] == "erasure"
    assert entry["actor"] == {"id": clinic_admin.pk, "name": "adam"}
    assert entry["object_id"] == patient.pk
