"""Clinical records are read by the patient's care team, not the whole clinic (plans/access.py).

Tess treats Pat (a past session, and she leads Pat's plan). Theo is another therapist at Derby
who has never seen Pat: he sees the plan's scheduling side only, and no screening, outcome or
progress, unless Derby shares clinical records among its clinicians.
"""

from datetime import UTC, datetime

import pytest

from audit.models import RecordRead
from booking.models import BookingStatus, ClinicMembership
from plans import access
from plans.models import OutcomeRecord
from tests.factories import MembershipFactory, TherapistFactory, UserFactory
from tests.plans.conftest import book_past_session, build_plan, phase, screen_and_consent, sessions

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def theo(clinic):
    user = UserFactory(username="theo")
    MembershipFactory(user=user, clinic=clinic, role="therapist")
    return TherapistFactory(first_name="Theo", last_name="Colleague", user=user, clinics=[clinic])


@pytest.fixture
def plan(patient, clinic, therapist, massage, assessed):
    plan = build_plan(
        patient, clinic, therapist, phase("Settle pain", 2, [sessions(massage, 2)]), activate=True
    )
    OutcomeRecord.objects.create(
        plan=plan, measure="nprs", value=6, recorded_on=datetime(2027, 2, 22).date()
    )
    return plan


@pytest.fixture
def screening(patient, clinic, therapist):
    return screen_and_consent(patient, clinic, therapist.user)


def _sees_clinical_records(client, plan, screening) -> dict:
    detail = client.get(f"/api/v1/plans/{plan.pk}/").json()
    return {
        "plan_clinical": detail["clinical_access"],
        "condition": detail["condition"],
        "progress": client.get(f"/api/v1/plans/{plan.pk}/progress/").status_code,
        "outcomes": client.get(f"/api/v1/plans/{plan.pk}/outcomes/").status_code,
        "screenings_listed": client.get("/api/v1/screenings/").json()["count"],
        "screening": client.get(f"/api/v1/screenings/{screening.pk}/").status_code,
        "clearance": client.get(
            f"/api/v1/screenings/clearance/?patient={plan.patient_id}"
        ).status_code,
    }


SEES_ALL = {
    "plan_clinical": True,
    "condition": "neck_pain",
    "progress": 200,
    "outcomes": 200,
    "screenings_listed": 1,
    "screening": 200,
    "clearance": 200,
}
SEES_NONE = {
    "plan_clinical": False,
    "condition": None,
    "progress": 403,
    "outcomes": 403,
    "screenings_listed": 0,
    "screening": 404,
    "clearance": 400,
}


def test_a_colleague_outside_the_care_team_sees_the_schedule_but_no_clinical_record(
    api, plan, screening, therapist, theo
):
    assert _sees_clinical_records(api(therapist.user), plan, screening) == SEES_ALL
    assert _sees_clinical_records(api(theo.user), plan, screening) == SEES_NONE
    refused = api(theo.user).get(f"/api/v1/plans/{plan.pk}/progress/")
    assert refused.json()["error"]["code"] == "not_in_care_team"
    assert len(api(theo.user).get(f"/api/v1/plans/{plan.pk}/").json()["sessions"]) == 2
    assert (
        api(theo.user).patch(f"/api/v1/plans/{plan.pk}/", {"title": "x"}, format="json")
    ).status_code == 403


def test_a_session_booked_with_a_therapist_makes_them_part_of_the_care_team(
    api, plan, screening, patient, massage, theo
):
    booking = book_past_session(massage, patient, theo, datetime(2027, 2, 24, 10, tzinfo=UTC))
    assert _sees_clinical_records(api(theo.user), plan, screening) == SEES_ALL

    booking.status = BookingStatus.CANCELLED
    booking.save(update_fields=["status"])
    assert _sees_clinical_records(api(theo.user), plan, screening) == SEES_NONE


def test_the_plans_named_therapist_is_part_of_the_care_team(api, plan, screening, theo):
    plan.preferred_therapist = theo
    plan.save(update_fields=["preferred_therapist"])

    assert _sees_clinical_records(api(theo.user), plan, screening) == SEES_ALL


def test_a_therapist_who_left_the_clinic_no_longer_reads_its_patients_records(
    api, plan, screening, therapist
):
    ClinicMembership.objects.filter(user=therapist.user).delete()

    client = api(therapist.user)
    assert access.treats(therapist.user, plan.patient) is False
    assert client.get(f"/api/v1/screenings/{screening.pk}/").status_code == 403
    assert client.get(f"/api/v1/plans/{plan.pk}/").status_code == 404


def test_a_clinic_that_shares_records_lets_every_clinician_read_them(
    api, plan, screening, clinic, clinic_admin, receptionist, theo, other_therapist
):
    assert (
        api(theo.user).get(f"/api/v1/clinics/{clinic.pk}/").json()["share_clinical_records"]
        is False
    )
    for refused_user in (receptionist, theo.user):
        refused = api(refused_user).patch(
            f"/api/v1/clinics/{clinic.pk}/", {"share_clinical_records": True}, format="json"
        )
        assert refused.status_code == 403
    clinic.refresh_from_db()
    assert clinic.share_clinical_records is False

    changed = api(clinic_admin).patch(
        f"/api/v1/clinics/{clinic.pk}/", {"share_clinical_records": True}, format="json"
    )

    assert changed.status_code == 200
    assert changed.json()["share_clinical_records"] is True
    assert _sees_clinical_records(api(theo.user), plan, screening) == SEES_ALL
    # Sharing is among the clinic's clinicians: reception and other clinics still see nothing.
    assert access.treats(receptionist, plan.patient) is False
    assert access.treats(other_therapist.user, plan.patient) is False


def test_every_staff_read_of_a_clinical_record_is_recorded_and_the_patients_own_are_not(
    api, plan, screening, therapist, patient
):
    api(therapist.user).get(f"/api/v1/plans/{plan.pk}/progress/")
    api(therapist.user).get(f"/api/v1/screenings/{screening.pk}/")
    api(patient.user).get(f"/api/v1/screenings/{screening.pk}/")
    api(patient.user).get(f"/api/v1/plans/{plan.pk}/progress/")

    reads = RecordRead.objects.order_by("id").values_list(
        "actor_id", "patient_id", "object_type", "object_id", "channel"
    )
    assert list(reads) == [
        (therapist.user.pk, patient.pk, "plan_progress", plan.pk, "api"),
        (therapist.user.pk, patient.pk, "needling_screening", screening.pk, "api"),
    ]


def test_a_refused_read_is_not_recorded(api, plan, screening, theo):
    api(theo.user).get(f"/api/v1/plans/{plan.pk}/progress/")
    api(theo.user).get(f"/api/v1/plans/{plan.pk}/")

    assert not RecordRead.objects.exists()


def test_the_therapists_day_page_reads_plan_context_through_the_gate(
    client, plan, patient, massage, therapist, theo
):
    upcoming = book_past_session(massage, patient, theo, datetime(2027, 3, 1, 14, tzinfo=UTC))
    upcoming.status = BookingStatus.CONFIRMED
    upcoming.save(update_fields=["status"])
    client.force_login(theo.user)

    page = client.get("/therapist/")

    assert page.status_code == 200
    assert "Pat Jones" in page.content.decode()
    # Theo is booked with Pat today, so he treats Pat: the read is recorded, through the web.
    assert list(RecordRead.objects.values_list("actor_id", "channel")) == [(theo.user.pk, "web")]


def test_a_superuser_opening_a_screening_in_the_admin_is_recorded(
    client, admin_user, screening, patient
):
    client.force_login(admin_user)

    page = client.get(f"/admin/plans/needlingscreening/{screening.pk}/change/")

    assert page.status_code == 200
    read = RecordRead.objects.get()
    assert (read.actor_id, read.patient_id, read.object_type, read.channel) == (
        admin_user.pk,
        patient.pk,
        "needlingscreening",
        "admin",
    )


def test_the_gate_refuses_a_mixed_set_of_records_as_a_whole(plan, screening, theo, patient):
    records = [access.ClinicalRecord(patient, "needling_screening", screening.pk)]

    with pytest.raises(access.errors.NotInCareTeam):
        access.open_clinical_records(theo.user, records)
    assert access.readable_clinical_records(theo.user, records) == []


def test_a_therapist_put_on_the_plans_care_team_joins_it_through_the_api(
    api, plan, screening, therapist, theo
):
    assert _sees_clinical_records(api(theo.user), plan, screening) == SEES_NONE

    response = api(therapist.user).patch(
        f"/api/v1/plans/{plan.pk}/", {"care_team": [theo.pk]}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["care_team"] == [theo.pk]
    assert _sees_clinical_records(api(theo.user), plan, screening) == SEES_ALL
    api(therapist.user).patch(f"/api/v1/plans/{plan.pk}/", {"care_team": []}, format="json")
    assert _sees_clinical_records(api(theo.user), plan, screening) == SEES_NONE


def test_another_clinics_therapist_cannot_join_the_care_team(api, plan, therapist, other_therapist):
    response = api(therapist.user).patch(
        f"/api/v1/plans/{plan.pk}/", {"care_team": [other_therapist.pk]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "therapist_not_at_clinic"
    assert not plan.care_team.exists()


def test_a_plan_is_created_with_its_care_team(api, patient, therapist, theo, massage, assessed):
    response = api(therapist.user).post(
        "/api/v1/plans/",
        {"patient": patient.pk, "condition": "neck_pain", "care_team": [theo.pk, therapist.pk]},
        format="json",
    )

    assert response.status_code == 201
    # The lead is in the care team by being the lead; the list holds the others.
    assert response.json()["care_team"] == [theo.pk]
