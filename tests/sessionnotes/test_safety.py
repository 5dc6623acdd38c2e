"""A serious adverse event flags the plan and its lead therapist, appears in the clinic admins'
safety list, and warns whoever books the patient's next needling session."""

import pytest

from audit.models import RecordRead
from sessionnotes.models import SafetyAlert
from tests.plans.conftest import build_plan, phase, sessions
from tests.sessionnotes.conftest import complete_note, needling_record

URL = "/api/v1/session-notes/"
ALERTS = "/api/v1/safety-alerts/"

pytestmark = pytest.mark.django_db

FAINT = {
    "kind": "syncope",
    "severity": "serious",
    "onset": "during",
    "action": "Needles removed, patient laid flat; ambulance called, admitted for observation.",
}
BRUISE = {
    "kind": "bruising",
    "severity": "mild",
    "onset": "immediately_after",
    "action": "Pressure.",
}


@pytest.fixture
def plan(session, patient, clinic, therapist, combined):
    plan = build_plan(patient, clinic, therapist, phase(components=[sessions(combined, 2)]))
    return plan


def write(api, therapist, booking, events):
    body = complete_note(booking, records=[needling_record(adverse_events=events)])
    response = api(therapist.user).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_a_serious_event_flags_the_plan_and_its_lead_therapist(api, session, therapist, plan):
    write(api, therapist, session, [BRUISE, FAINT])

    [alert] = SafetyAlert.objects.all()
    assert alert.treatment_plan == plan
    assert alert.lead_therapist == therapist
    assert alert.adverse_event.kind == "syncope"
    assert alert.is_open


def test_mild_events_raise_no_alert(api, session, therapist):
    write(api, therapist, session, [BRUISE])

    assert not SafetyAlert.objects.exists()


def test_resaving_a_draft_does_not_raise_the_alert_twice(api, session, therapist):
    note_id = write(api, therapist, session, [FAINT])

    api(therapist.user).patch(
        f"{URL}{note_id}/",
        {"records": [needling_record(adverse_events=[FAINT, BRUISE])]},
        format="json",
    )

    assert SafetyAlert.objects.count() == 1


def test_the_clinic_admins_safety_list_shows_it_and_records_the_read(
    api, session, therapist, clinic_admin, receptionist, patient_user
):
    write(api, therapist, session, [FAINT])

    response = api(clinic_admin).get(ALERTS)

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["patient_name"] == "Pat Jones"
    assert row["adverse_event"]["kind"] == "syncope"
    assert row["is_open"] is True
    assert RecordRead.objects.filter(actor=clinic_admin, object_type="safety_alert").count() == 1
    assert api(receptionist).get(ALERTS).status_code == 403
    assert api(patient_user).get(ALERTS).status_code == 403


def test_another_clinics_admin_sees_nothing(api, session, therapist, other_clinic):
    from tests.factories import MembershipFactory, UserFactory

    write(api, therapist, session, [FAINT])
    admin = MembershipFactory(user=UserFactory(username="olga"), clinic=other_clinic, role="admin")

    assert api(admin.user).get(ALERTS).json()["results"] == []


def test_reviewing_closes_the_alert_once(api, session, therapist, clinic_admin):
    write(api, therapist, session, [FAINT])
    alert = SafetyAlert.objects.get()
    client = api(clinic_admin)

    assert (
        client.post(f"{ALERTS}{alert.pk}/review/", {"note": ""}, format="json").status_code == 400
    )
    done = client.post(
        f"{ALERTS}{alert.pk}/review/",
        {"note": "Discussed; shorter needles, lying down."},
        format="json",
    )
    again = client.post(f"{ALERTS}{alert.pk}/review/", {"note": "Again"}, format="json")

    assert done.status_code == 200
    assert done.json()["is_open"] is False
    assert again.status_code == 409


def test_the_next_needling_booking_shows_the_warning(
    api, session, therapist, receptionist, patient, combined, massage, clinic_admin
):
    write(api, therapist, session, [FAINT])
    desk = api(receptionist)

    needling = desk.post(
        "/api/v1/bookings/",
        {"treatment": combined.pk, "start": "2027-03-03T10:00:00Z", "patient": patient.pk},
        format="json",
    )
    rub = desk.post(
        "/api/v1/bookings/",
        {"treatment": massage.pk, "start": "2027-03-04T10:00:00Z", "patient": patient.pk},
        format="json",
    )

    assert needling.status_code == 201, needling.json()
    [warning] = needling.json()["warnings"]
    assert warning["code"] == "serious_adverse_event"
    assert "syncope" not in warning["message"]  # reception reads it: no clinical detail
    assert rub.json()["warnings"] == []
    listed = {b["id"]: b["warnings"] for b in desk.get("/api/v1/bookings/").json()["results"]}
    assert listed[needling.json()["id"]] == [warning]

    alert = SafetyAlert.objects.get()
    api(clinic_admin).post(f"{ALERTS}{alert.pk}/review/", {"note": "Reviewed."}, format="json")
    assert desk.get(f"/api/v1/bookings/{needling.json()['id']}/").json()["warnings"] == []


def test_an_amendment_adding_a_serious_event_raises_an_alert(api, session, therapist):
    note_id = write(api, therapist, session, [])
    api(therapist.user).post(f"{URL}{note_id}/sign/")
    late = {
        **FAINT,
        "onset": "delayed",
        "action": "Reported next day: chest pain, A&E, pneumothorax excluded.",
    }

    response = api(therapist.user).post(
        f"{URL}{note_id}/amend/",
        {
            "reason": "Patient phoned the next day.",
            "changes": {"records": [needling_record(adverse_events=[late])]},
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    [alert] = SafetyAlert.objects.all()
    assert alert.adverse_event.onset == "delayed"
    assert alert.adverse_event.record is None


def test_booking_list_warnings_cost_a_fixed_number_of_queries(
    api, session, therapist, receptionist, patient, combined, django_assert_max_num_queries
):
    write(api, therapist, session, [FAINT])
    desk = api(receptionist)
    for day in (3, 4, 5):
        desk.post(
            "/api/v1/bookings/",
            {"treatment": combined.pk, "start": f"2027-03-0{day}T10:00:00Z", "patient": patient.pk},
            format="json",
        )

    with django_assert_max_num_queries(12):
        response = desk.get("/api/v1/bookings/")

    assert sum(bool(b["warnings"]) for b in response.json()["results"]) == 3
