"""POST/GET /api/v1/session-notes/: writing a note, its records' shapes and the rules."""

import pytest

from audit.models import RecordRead
from sessionnotes.models import AdverseEvent, ModalityRecord, SessionNote
from tests.factories import QualificationFactory
from tests.sessionnotes.conftest import complete_note, massage_record, needling_record, site

URL = "/api/v1/session-notes/"

pytestmark = pytest.mark.django_db


def post(api, user, body):
    return api(user).post(URL, body, format="json")


def test_the_treating_therapist_writes_a_note_with_structured_records(api, session, therapist):
    response = post(api, therapist.user, complete_note(session))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["pain_before"] == 5
    assert body["pain_after"] == 3
    assert [r["modality"] for r in body["records"]] == ["dry_needling", "sports_massage"]
    assert body["records"][0]["sites"][0]["needle_diameter_mm"] == 0.25
    assert body["body_chart"][0]["label"] == "Right shoulder blade"
    assert body["warnings"] == []
    note = SessionNote.objects.get()
    assert note.booking == session
    assert note.author == therapist.user
    assert ModalityRecord.objects.filter(note=note).count() == 2


def test_a_second_note_for_one_booking_is_409_note_exists(api, session, therapist):
    assert post(api, therapist.user, complete_note(session)).status_code == 201

    response = post(api, therapist.user, complete_note(session))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "note_exists"
    assert SessionNote.objects.count() == 1


@pytest.mark.parametrize("field", ["pain_before", "pain_after"])
@pytest.mark.parametrize("value", [-1, 11, "high"])
def test_pain_scores_are_nprs_0_to_10(api, session, therapist, field, value):
    response = post(api, therapist.user, complete_note(session, **{field: value}))

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not SessionNote.objects.exists()


@pytest.mark.parametrize("diameter", [0.05, 0.09, 0.41, 0.5])
def test_a_needle_outside_0_10_to_0_40_mm_is_refused(api, session, therapist, diameter):
    body = complete_note(
        session, records=[needling_record(sites=[site(needle_diameter_mm=diameter)])]
    )

    response = post(api, therapist.user, body)

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "needle_diameter_mm" in fields["records"]["0"]["sites"]["0"]
    assert not SessionNote.objects.exists()


@pytest.mark.parametrize(
    ("diameter", "warned"), [(0.12, True), (0.16, False), (0.30, False), (0.35, True)]
)
def test_a_needle_outside_0_16_to_0_30_mm_is_kept_with_a_warning(
    api, session, therapist, diameter, warned
):
    body = complete_note(
        session, records=[needling_record(sites=[site(needle_diameter_mm=diameter)])]
    )

    response = post(api, therapist.user, body)

    assert response.status_code == 201
    codes = [w["code"] for w in response.json()["warnings"]]
    assert ("needle_diameter_unusual" in codes) is warned
    if warned:
        assert response.json()["warnings"][0]["field"] == "records[0].sites[0].needle_diameter_mm"


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (needling_record(sites=[site(technique="acupressure")]), "technique"),
        (needling_record(sites=[site(needle_length_mm=150)]), "needle_length_mm"),
        (needling_record(sites=[site(side="up")]), "side"),
        (
            needling_record(adverse_events=[{"kind": "bleeding", "severity": "awful"}]),
            "adverse_events",
        ),
        (massage_record(techniques=["karate_chop"]), "techniques"),
        (massage_record(pressure="extreme"), "pressure"),
        (massage_record(minutes=0), "minutes"),
        ({"modality": "pnf", "technique": "stretchy"}, "technique"),
        ({"modality": "pnf", "rom_before_deg": 400}, "rom_before_deg"),
        ({"modality": "graston", "skin_response": "glowing"}, "skin_response"),
        ({"modality": "taping", "tape": "rigid", "tension_percent": 50}, "tension_percent"),
        ({"modality": "taping", "tension_percent": 120}, "tension_percent"),
        (
            {"modality": "exercise_rehab", "exercises": [{"name": "Squat", "rpe": 15}]},
            "exercises",
        ),
        ({"modality": "exercise_rehab", "exercises": [{"name": "Squat", "sets": 0}]}, "exercises"),
        (massage_record(colour="blue"), "colour"),
    ],
)
def test_each_modality_has_its_own_validated_shape(api, session, therapist, record, field):
    response = post(api, therapist.user, complete_note(session, records=[record]))

    assert response.status_code == 400, response.json()
    assert field in str(response.json()["error"]["fields"]["records"]["0"])
    assert not SessionNote.objects.exists()


def test_an_unknown_or_repeated_modality_is_refused(api, session, therapist):
    unknown = post(api, therapist.user, complete_note(session, records=[{"modality": "reiki"}]))
    twice = post(
        api, therapist.user, complete_note(session, records=[massage_record(), massage_record()])
    )

    assert unknown.status_code == 400
    assert twice.status_code == 400
    assert "modality" in twice.json()["error"]["fields"]["records"]["1"]
    assert not SessionNote.objects.exists()


def test_every_modality_shape_is_accepted_when_valid(api, massage_session, therapist):
    qualifications = ["pnf_stretching", "iastm", "taping", "exercise_rehab"]
    therapist.qualifications.add(*[QualificationFactory(code=code) for code in qualifications])
    records = [
        massage_record(),
        {
            "modality": "pnf",
            "technique": "contract_relax",
            "muscle_group": "Hamstrings",
            "side": "left",
            "repetitions": 3,
            "rom_before_deg": 70,
            "rom_after_deg": 78,
        },
        {
            "modality": "graston",
            "instruments": ["GT4"],
            "regions": ["Left ITB"],
            "minutes": 4,
            "skin_response": "erythema",
            "anticoagulants_checked": True,
        },
        {
            "modality": "taping",
            "tape": "kinesiology",
            "area": "Left knee",
            "purpose": "pain",
            "tension_percent": 25,
            "skin_check": True,
        },
        {
            "modality": "exercise_rehab",
            "exercises": [
                {"name": "Split squat", "sets": 3, "reps": 10, "load": "8 kg", "rpe": 6},
                {"name": "Bridge", "sets": 3, "reps": 12, "rpe": 13, "rpe_scale": "borg_6_20"},
            ],
            "home_programme_changes": "Add split squats, 3x10 daily.",
        },
    ]
    response = post(api, therapist.user, complete_note(massage_session, records=records))

    assert response.status_code == 201, response.json()
    assert [r["modality"] for r in response.json()["records"]] == [
        "sports_massage",
        "pnf",
        "graston",
        "taping",
        "exercise_rehab",
    ]


def test_a_modality_the_therapist_is_not_qualified_for_is_400(api, massage_session, therapist):
    body = complete_note(massage_session, records=[{"modality": "graston", "minutes": 3}])

    response = post(api, therapist.user, body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "therapist_not_qualified"
    assert not SessionNote.objects.exists()


def test_a_needling_record_without_clearance_is_409_needling_not_cleared(
    api, massage_session, therapist, patient
):
    # Pat has no screening: the same rule that refuses to book needling refuses to record it.
    response = post(api, therapist.user, complete_note(massage_session))

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "needling_not_cleared"
    assert error["details"]["reason"] == "needling_screening_required"
    assert not SessionNote.objects.exists()


def test_consent_withdrawn_before_the_session_date_blocks_needling(
    api, session, therapist, cleared
):
    from plans.services import withdraw_consent

    withdraw_consent(screening=cleared, withdrawn_by=therapist.user)

    response = post(api, therapist.user, complete_note(session))

    assert response.status_code == 409
    assert response.json()["error"]["details"]["reason"] == "needling_consent_required"


def test_a_massage_only_note_needs_no_needling_clearance(api, massage_session, therapist):
    response = post(api, therapist.user, complete_note(massage_session, records=[massage_record()]))

    assert response.status_code == 201


def test_a_draft_may_be_half_done(api, session, therapist):
    body = {
        "booking": session.pk,
        "subjective": "Better this week.",
        "records": [{"modality": "dry_needling", "sites": [{"muscle": "Levator scapulae"}]}],
    }

    response = post(api, therapist.user, body)

    assert response.status_code == 201, response.json()
    assert response.json()["records"][0]["sites"] == [{"muscle": "Levator scapulae"}]


def test_only_the_treating_therapist_writes_the_note(api, session, other_therapist, receptionist):
    by_other = post(api, other_therapist.user, complete_note(session))
    by_desk = post(api, receptionist, complete_note(session))

    assert by_other.status_code == 400  # not their session: it is not there for them
    assert by_desk.status_code == 403
    assert not SessionNote.objects.exists()


def test_a_session_not_yet_held_or_cancelled_has_no_note(
    api, frozen_now, massage, patient, therapist, book
):
    future = book(massage, patient, "2027-03-02T10:00", therapist=therapist)

    response = post(api, therapist.user, complete_note(future, records=[massage_record()]))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "session_not_held"


def test_body_chart_marks_are_validated(api, massage_session, therapist):
    cases = [
        [{"view": "side", "region": "neck", "symptom": "ache", "nprs": 3}],
        [{"view": "front", "region": "lower_back", "symptom": "ache", "nprs": 3}],
        [{"view": "back", "region": "lower_back", "symptom": "ache", "nprs": 12}],
        [{"view": "back", "region": "lower_back", "symptom": "tickly", "nprs": 3}],
        [{"view": "back", "region": "lower_back", "symptom": "cleared", "nprs": 4}],
        [
            {"view": "back", "region": "neck", "symptom": "ache", "nprs": 3},
            {"view": "back", "region": "neck", "symptom": "ache", "nprs": 4},
        ],
    ]
    for marks in cases:
        body = complete_note(massage_session, records=[massage_record()], body_chart=marks)
        response = post(api, therapist.user, body)
        assert response.status_code == 400, marks
    assert not SessionNote.objects.exists()

    good = [
        {
            "view": "back",
            "region": "lower_back",
            "symptom": "ache",
            "nprs": 6,
            "pattern": "constant",
        },
        {"view": "back", "region": "left_buttock", "symptom": "pins_and_needles", "nprs": 2},
        {"view": "front", "region": "left_thigh", "symptom": "cleared"},
    ]
    response = post(
        api,
        therapist.user,
        complete_note(massage_session, records=[massage_record()], body_chart=good),
    )
    assert response.status_code == 201
    assert {m["region"] for m in response.json()["body_chart"]} == {
        "lower_back",
        "left_buttock",
        "left_thigh",
    }


def test_the_draft_is_updated_by_patch_and_adverse_events_follow_the_record(
    api, session, therapist
):
    note_id = post(api, therapist.user, complete_note(session)).json()["id"]
    bruise = {
        "kind": "bruising",
        "severity": "mild",
        "onset": "immediately_after",
        "action": "Pressure applied.",
    }

    response = api(therapist.user).patch(
        f"{URL}{note_id}/",
        {
            "records": [needling_record(adverse_events=[bruise])],
            "plan": "Review in a week.",
            "version": 1,
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["plan"] == "Review in a week."
    assert response.json()["version"] == 2
    assert [r["modality"] for r in response.json()["records"]] == ["dry_needling"]
    assert list(AdverseEvent.objects.values_list("kind", flat=True)) == ["bruising"]

    stale = api(therapist.user).patch(
        f"{URL}{note_id}/", {"plan": "x", "version": 1}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"


def test_list_filters_by_patient_therapist_plan_date_and_signed(
    api, session, massage_session, therapist, patient
):
    first = post(api, therapist.user, complete_note(session)).json()["id"]
    second = post(
        api, therapist.user, complete_note(massage_session, records=[massage_record()])
    ).json()["id"]
    api(therapist.user).post(f"{URL}{first}/sign/")
    client = api(therapist.user)

    def ids(query):
        response = client.get(URL + query)
        assert response.status_code == 200, response.json()
        return [n["id"] for n in response.json()["results"]]

    assert ids("") == [first, second]
    assert ids(f"?patient={patient.pk}") == [first, second]
    assert ids(f"?therapist={therapist.pk}") == [first, second]
    assert ids("?date=2027-02-26") == [first]
    assert ids("?date_from=2027-02-26") == [first]
    assert ids("?signed=true") == [first]
    assert ids("?signed=false") == [second]
    assert ids("?plan=999") == []
    assert client.get(URL + "?date=yesterday").status_code == 400


def test_every_staff_read_is_recorded(api, session, therapist):
    note_id = post(api, therapist.user, complete_note(session)).json()["id"]
    before = RecordRead.objects.count()

    api(therapist.user).get(f"{URL}{note_id}/")
    api(therapist.user).get(URL)

    reads = RecordRead.objects.order_by("id")[before:]
    assert [(r.object_type, r.object_id, r.actor) for r in reads] == [
        ("session_note", note_id, therapist.user),
        ("session_note", note_id, therapist.user),
    ]
