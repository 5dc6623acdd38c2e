"""Signing locks a note; amendments keep the original; needle counts reconcile; notes due."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from sessionnotes.models import Amendment, SessionNote
from tests.sessionnotes.conftest import complete_note, massage_record, needling_record

URL = "/api/v1/session-notes/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def write(api, therapist):
    def make(booking, **changes):
        response = api(therapist.user).post(URL, complete_note(booking, **changes), format="json")
        assert response.status_code == 201, response.json()
        return response.json()["id"]

    return make


def sign(api, user, note_id):
    return api(user).post(f"{URL}{note_id}/sign/")


def test_signing_locks_the_note_with_signer_and_time(api, session, therapist, write, frozen_now):
    note_id = write(session)

    response = sign(api, therapist.user, note_id)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "signed"
    assert body["signed_by"] == therapist.user.pk
    assert body["signed_at"] == "2027-03-01T09:00:00+00:00"


def test_changing_a_signed_note_is_409_note_signed(api, session, therapist, write):
    note_id = write(session)
    sign(api, therapist.user, note_id)

    edit = api(therapist.user).patch(f"{URL}{note_id}/", {"plan": "Changed."}, format="json")
    again = sign(api, therapist.user, note_id)

    assert edit.status_code == 409
    assert edit.json()["error"]["code"] == "note_signed"
    assert again.status_code == 409
    assert SessionNote.objects.get().plan == "Repeat needling, progress home exercise."


def test_an_incomplete_note_cannot_be_signed(api, session, therapist):
    half = {
        "booking": session.pk,
        "subjective": "Better.",
        "records": [{"modality": "dry_needling", "sites": [{"muscle": "Levator scapulae"}]}],
    }
    note_id = api(therapist.user).post(URL, half, format="json").json()["id"]

    response = sign(api, therapist.user, note_id)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "note_incomplete"
    missing = error["details"]["missing"]
    assert {"objective", "assessment", "plan", "records[0].needles_in"} <= set(missing)
    assert "records[0].sites[0].needle_diameter_mm" in missing
    assert "records[0].sharps_disposed" in missing
    assert SessionNote.objects.get().status == "draft"


def test_a_static_needle_needs_its_retention_time_to_sign(api, session, therapist, write):
    from tests.sessionnotes.conftest import site

    note_id = write(session, records=[needling_record(sites=[site(technique="static")])])

    response = sign(api, therapist.user, note_id)

    assert response.status_code == 400
    assert "records[0].sites[0].retained_seconds" in response.json()["error"]["details"]["missing"]


def test_a_needle_count_that_does_not_reconcile_cannot_be_signed(api, session, therapist, write):
    note_id = write(session, records=[needling_record(needles_in=3, needles_out=2)])

    response = sign(api, therapist.user, note_id)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "needle_count_mismatch"
    assert SessionNote.objects.get().status == "draft"


def test_a_needle_unaccounted_for_event_with_search_and_action_lets_it_sign(
    api, session, therapist, write
):
    lost = {
        "kind": "needle_unaccounted_for",
        "severity": "mild",
        "onset": "immediately_after",
        "action": "Couch, floor and clothing searched; not found. Patient told; sharps log updated.",
    }
    note_id = write(
        session, records=[needling_record(needles_in=3, needles_out=2, adverse_events=[lost])]
    )

    assert sign(api, therapist.user, note_id).status_code == 200


def test_a_needle_unaccounted_for_event_without_the_search_does_not(api, session, therapist, write):
    lost = {"kind": "needle_unaccounted_for", "severity": "mild", "onset": "during", "action": " "}
    note_id = write(
        session, records=[needling_record(needles_in=3, needles_out=2, adverse_events=[lost])]
    )

    response = sign(api, therapist.user, note_id)

    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("needle_count_mismatch", "note_incomplete")
    assert SessionNote.objects.get().status == "draft"


def test_needling_clearance_is_checked_again_at_signing(api, session, therapist, write, cleared):
    from plans.services import withdraw_consent

    note_id = write(session)
    withdraw_consent(screening=cleared, withdrawn_by=therapist.user)

    response = sign(api, therapist.user, note_id)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "needling_not_cleared"
    assert SessionNote.objects.get().status == "draft"


def test_an_amendment_is_shown_with_the_original_which_stays(api, session, therapist, write):
    note_id = write(session)
    sign(api, therapist.user, note_id)

    response = api(therapist.user).post(
        f"{URL}{note_id}/amend/",
        {
            "reason": "Wrong side recorded.",
            "changes": {"objective": "Tender LEFT upper trapezius.", "pain_after": 2},
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    note = api(therapist.user).get(f"{URL}{note_id}/").json()
    assert note["status"] == "amended"
    assert note["objective"] == "Tender right upper trapezius, rotation 60 degrees."
    assert note["current"]["objective"] == "Tender LEFT upper trapezius."
    assert note["current"]["pain_after"] == 2
    [amendment] = note["amendments"]
    assert amendment["reason"] == "Wrong side recorded."
    assert {c["field"]: (c["old"], c["new"]) for c in amendment["changes"]} == {
        "objective": (
            "Tender right upper trapezius, rotation 60 degrees.",
            "Tender LEFT upper trapezius.",
        ),
        "pain_after": (3, 2),
    }


def test_a_second_amendment_records_the_amended_value_as_old(api, session, therapist, write):
    note_id = write(session)
    sign(api, therapist.user, note_id)
    client = api(therapist.user)
    client.post(
        f"{URL}{note_id}/amend/", {"reason": "a", "changes": {"pain_after": 2}}, format="json"
    )

    client.post(
        f"{URL}{note_id}/amend/", {"reason": "b", "changes": {"pain_after": 1}}, format="json"
    )

    changes = [a.changes[0] for a in Amendment.objects.order_by("id")]
    assert [(c["old"], c["new"]) for c in changes] == [(3, 2), (2, 1)]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"reason": "", "changes": {"plan": "x"}}, "invalid"),
        ({"reason": "typo", "changes": {}}, "invalid"),
        ({"reason": "typo", "changes": {"status": "draft"}}, "invalid"),
        ({"reason": "typo", "changes": {"pain_after": 14}}, "invalid"),
        ({"reason": "typo", "changes": {"plan": ""}}, "invalid"),
        (
            {"reason": "typo", "changes": {"records": [needling_record(needles_out=1)]}},
            "needle_count_mismatch",
        ),
    ],
)
def test_a_bad_amendment_is_refused_and_nothing_changes(api, session, therapist, write, body, code):
    note_id = write(session)
    sign(api, therapist.user, note_id)

    response = api(therapist.user).post(f"{URL}{note_id}/amend/", body, format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == code
    assert not Amendment.objects.exists()
    assert SessionNote.objects.get().status == "signed"


def test_a_draft_is_not_amended(api, session, therapist, write):
    note_id = write(session)

    response = api(therapist.user).post(
        f"{URL}{note_id}/amend/", {"reason": "typo", "changes": {"plan": "x"}}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "note_not_signed"


def test_notes_due_lists_sessions_held_without_a_signed_note(
    api, session, massage_session, therapist, write
):
    write(session)  # a draft still counts as due

    due = api(therapist.user).get(f"{URL}due/").json()

    assert [d["booking"] for d in due] == [massage_session.pk, session.pk]
    assert all(d["overdue"] for d in due)  # both ended more than 24 hours before "now"
    note_id = SessionNote.objects.get().pk
    sign(api, therapist.user, note_id)
    assert [d["booking"] for d in api(therapist.user).get(f"{URL}due/").json()] == [
        massage_session.pk
    ]


def test_a_note_is_due_24_hours_after_the_session(api, massage, patient, therapist):
    from tests.plans.conftest import book_past_session

    with time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=UTC), tick=False):
        booking = book_past_session(
            massage, patient, therapist, datetime(2027, 3, 1, 10, tzinfo=UTC)
        )
        [due] = api(therapist.user).get(f"{URL}due/").json()

    assert due["booking"] == booking.pk
    assert due["overdue"] is False
    assert due["due_at"].startswith("2027-03-02T10:45")
    assert booking.end + timedelta(hours=24) == datetime(2027, 3, 2, 10, 45, tzinfo=UTC)


def test_only_the_author_signs(api, session, therapist, write, clinic):
    note_id = write(session)
    clinic.share_clinical_records = True
    clinic.save()
    from tests.factories import MembershipFactory, TherapistFactory, UserFactory

    user = UserFactory(username="cole")
    MembershipFactory(user=user, clinic=clinic, role="therapist")
    TherapistFactory(user=user, clinics=[clinic])

    response = sign(api, user, note_id)

    assert response.status_code == 403
    assert SessionNote.objects.get().status == "draft"


def test_a_massage_note_signs_without_needling_fields(api, massage_session, therapist, write):
    note_id = write(massage_session, records=[massage_record()])

    assert sign(api, therapist.user, note_id).status_code == 200
