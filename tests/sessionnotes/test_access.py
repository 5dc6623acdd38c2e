"""Who reads session notes: the treating therapist and the patient's care team (plans/access.py),
never reception, clinic admins without a therapist role, or patients."""

import pytest

from tests.factories import MembershipFactory, TherapistFactory, UserFactory
from tests.sessionnotes.conftest import complete_note

URL = "/api/v1/session-notes/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def note_id(api, session, therapist):
    response = api(therapist.user).post(URL, complete_note(session), format="json")
    assert response.status_code == 201
    return response.json()["id"]


@pytest.fixture
def colleague(clinic):
    """A therapist at Derby who has never treated Pat."""
    user = UserFactory(username="cole")
    MembershipFactory(user=user, clinic=clinic, role="therapist")
    return TherapistFactory(first_name="Cole", user=user, clinics=[clinic])


@pytest.mark.parametrize("who", ["receptionist", "clinic_admin", "patient_user"])
def test_reception_admins_and_patients_get_403(api, note_id, request, who):
    user = request.getfixturevalue(who)
    client = api(user)

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{note_id}/").status_code == 403
    assert client.post(f"{URL}{note_id}/sign/").status_code == 403


def test_a_therapist_outside_the_care_team_gets_403(api, note_id, colleague):
    assert api(colleague.user).get(f"{URL}{note_id}/").status_code == 403
    assert api(colleague.user).get(URL).json()["results"] == []


def test_another_clinics_therapist_does_not_find_the_note(api, note_id, other_therapist):
    assert api(other_therapist.user).get(f"{URL}{note_id}/").status_code == 404


def test_the_care_team_reads_through_the_clinics_sharing_setting(api, note_id, colleague, clinic):
    clinic.share_clinical_records = True
    clinic.save()

    response = api(colleague.user).get(f"{URL}{note_id}/")

    assert response.status_code == 200
    # Reading is not writing: only the treating therapist changes or signs the note.
    assert api(colleague.user).post(f"{URL}{note_id}/sign/").status_code == 403
    edit = api(colleague.user).patch(f"{URL}{note_id}/", {"plan": "x"}, format="json")
    assert edit.status_code == 403


def test_the_plans_lead_therapist_is_in_the_care_team(api, note_id, colleague, patient, clinic):
    from plans.models import TreatmentPlan

    TreatmentPlan.objects.create(
        patient=patient,
        clinic=clinic,
        lead_therapist=colleague,
        condition="neck_pain",
        start_date="2027-03-01",
    )

    assert api(colleague.user).get(f"{URL}{note_id}/").status_code == 200


def test_anonymous_is_401(api, note_id):
    assert api(None).get(URL).status_code == 401
