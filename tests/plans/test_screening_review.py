"""Screenings answered "not sure", the clinic's list of screenings to review, and a clinician's
correction of a screening (with a reason, audited, care team only)."""

from datetime import date, timedelta

import pytest
import time_machine

from audit.models import AuditAction
from booking.models import Booking
from plans import errors, services
from plans.models import NeedlingConsent, NeedlingScreening, ScreeningCorrection
from plans.selectors import needling_clearance, screenings_to_review
from tests.factories import MembershipFactory, PatientFactory, TherapistFactory, UserFactory
from tests.plans.conftest import answers

pytestmark = pytest.mark.usefixtures("frozen_now")

TODAY = date(2027, 3, 1)
SLOT = "2027-03-02T10:00:00Z"


def _status(patient):
    return needling_clearance(patient=patient, on=TODAY).status


def _screen(patient, clinic, **values):
    return services.record_screening(
        patient=patient, clinic=clinic, answers={**answers(), **values}, screened_by=patient.user
    )


# --- "not sure" ----------------------------------------------------------------------------------


def test_not_sure_is_never_read_as_no(patient, clinic):
    screening = _screen(patient, clinic, anticoagulants=None)

    assert screening.unsure == ["anticoagulants"]
    assert screening.relative_contraindications == []
    assert screening.needs_review
    assert _status(patient) == "review_required"


def test_an_absolute_yes_still_blocks_whatever_else_is_unsure(patient, clinic):
    _screen(patient, clinic, needle_phobia=True, pregnancy=None)

    assert _status(patient) == "contraindicated"


def test_booking_needling_while_a_not_sure_waits_is_refused_without_clinical_detail(
    api, patient, clinic, needling, receptionist
):
    _screen(patient, clinic, epilepsy=None)

    for user, extra in ((patient.user, {}), (receptionist, {"patient": patient.pk})):
        response = api(user).post(
            "/api/v1/bookings/",
            {"treatment": needling.pk, "start": SLOT, **extra},
            format="json",
        )
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "needling_review_required"
        assert "epilepsy" not in str(error)
    assert not Booking.objects.exists()


def test_the_api_accepts_null_as_not_sure_and_still_accepts_plain_booleans(
    api, patient, clinic, therapist, assessed
):
    unsure = {**answers(), "diabetes": None}
    response = api(therapist.user).post(
        "/api/v1/screenings/", {"patient": patient.pk, "answers": unsure}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["answers"]["diabetes"] is None
    assert body["unsure"] == ["diabetes"]
    assert body["needs_review"] is True
    clearance = api(therapist.user).get(f"/api/v1/screenings/clearance/?patient={patient.pk}")
    assert clearance.json()["clearance"] == "review_required"

    plain = api(therapist.user).post(
        "/api/v1/screenings/", {"patient": patient.pk, "answers": answers()}, format="json"
    )
    assert plain.status_code == 201
    assert plain.json()["unsure"] == []
    assert plain.json()["corrections"] == []

    for bad_answer in ("perhaps", "", [True]):
        bad = api(therapist.user).post(
            "/api/v1/screenings/",
            {"patient": patient.pk, "answers": {**answers(), "diabetes": bad_answer}},
            format="json",
        )
        assert bad.status_code == 400, bad_answer
        assert bad.json()["error"]["fields"]
    assert NeedlingScreening.objects.count() == 2


def test_the_questionnaire_gives_patient_wording_and_groups(api, patient):
    body = api(patient.user).get("/api/v1/screenings/questionnaire/").json()

    groups = [group["code"] for group in body["groups"]]
    assert groups == ["today", "medicines", "pregnancy", "conditions", "needles"]
    by_code = {question["code"]: question for question in body["questions"]}
    assert len(by_code) == 19
    assert by_code["needle_phobia"]["question"] == "Has a fear of needles (needle phobia)."
    assert by_code["needle_phobia"]["patient_question"] == "Are you very frightened of needles?"
    assert all(question["group"] in groups for question in body["questions"])


# --- screenings to review ------------------------------------------------------------------------


def test_the_review_list_holds_current_screenings_waiting_for_a_call(
    patient, clinic, other_clinic, therapist
):
    unsure = _screen(patient, clinic, pregnancy=None)
    precautions_patient = PatientFactory(clinic=clinic)
    precautions = _screen(precautions_patient, clinic, diabetes=True)
    for flags in ({}, {"needle_phobia": True}):  # clear, and ruled out: nothing to review
        _screen(PatientFactory(clinic=clinic), clinic, **flags)
    _screen(PatientFactory(clinic=other_clinic), other_clinic, pregnancy=None)

    listed = list(screenings_to_review(clinic_ids=[clinic.pk], today=TODAY))
    assert listed == [unsure, precautions]

    services.acknowledge_precautions(
        screening=precautions, acknowledged_by=therapist.user, note="Check feet first"
    )
    with time_machine.travel(timedelta(minutes=5)):
        _screen(patient, clinic)  # a newer, clear screening replaces the unsure one
    assert list(screenings_to_review(clinic_ids=[clinic.pk], today=TODAY)) == []


def test_the_api_review_list_shows_only_patients_the_caller_treats(
    api, patient, clinic, therapist, assessed
):
    mine = _screen(patient, clinic, anticoagulants=None)
    _screen(PatientFactory(clinic=clinic), clinic, anticoagulants=None)  # not Tess's patient

    response = api(therapist.user).get("/api/v1/screenings/to-review/")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_the_review_list_is_a_clinicians_not_a_patients(api, patient, clinic, assessed):
    _screen(patient, clinic, anticoagulants=None)

    response = api(patient.user).get("/api/v1/screenings/to-review/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


# --- corrections ---------------------------------------------------------------------------------


def test_a_clinician_in_the_care_team_corrects_a_mis_tap_with_a_reason(
    patient, clinic, therapist, assessed
):
    screening = _screen(patient, clinic, needle_phobia=True)
    assert _status(patient) == "contraindicated"

    correction = services.correct_screening(
        screening=screening,
        corrected_by=therapist.user,
        answers={"needle_phobia": False},
        reason="Phoned Pat: tapped yes by mistake, happy to be needled.",
    )

    screening.refresh_from_db()
    assert screening.absolute_contraindications == []
    assert screening.answers["needle_phobia"] is False
    assert correction.before == {"needle_phobia": True}
    assert correction.after == {"needle_phobia": False}
    assert correction.corrected_by == therapist.user
    assert _status(patient) == "consent_required"

    entry = screening.history.order_by("-history_date", "-history_id").first()
    assert entry.audit_action == AuditAction.CHANGED
    assert entry.history_user == therapist.user
    assert entry.history_change_reason.startswith("Phoned Pat")
    changed = {change["field"]: change for change in entry.audit_changes}
    assert changed["absolute_contraindications"]["old"] == ["needle_phobia"]
    assert changed["absolute_contraindications"]["new"] == []


def test_a_not_sure_resolved_as_yes_still_needs_the_precaution_judged(
    patient, clinic, therapist, assessed
):
    screening = _screen(patient, clinic, anticoagulants=None)

    services.correct_screening(
        screening=screening,
        corrected_by=therapist.user,
        answers={"anticoagulants": True},
        reason="Takes apixaban.",
    )

    screening.refresh_from_db()
    assert screening.unsure == []
    assert screening.relative_contraindications == ["anticoagulants"]
    assert _status(patient) == "acknowledgement_required"


def test_a_correction_can_make_needling_unsafe_and_resets_the_judgement_of_new_precautions(
    patient, clinic, therapist, assessed
):
    screening = _screen(patient, clinic, diabetes=True)
    services.acknowledge_precautions(
        screening=screening, acknowledged_by=therapist.user, note="Check feet"
    )
    services.record_consent(screening=screening, given_by="Pat", method="verbal", scope="Neck")
    assert _status(patient) == "cleared"

    services.correct_screening(
        screening=screening,
        corrected_by=therapist.user,
        answers={"pregnancy": True},
        reason="Pat told me she is 10 weeks pregnant.",
    )

    screening.refresh_from_db()
    assert screening.precautions_acknowledged_at is None
    assert _status(patient) == "acknowledgement_required"
    consent = NeedlingConsent.objects.get()
    assert consent.withdrawn_at is not None  # verbal consent does not do in pregnancy

    services.correct_screening(
        screening=screening,
        corrected_by=therapist.user,
        answers={"acute_medical_condition": True},
        reason="Has a fever today.",
    )
    assert _status(patient) == "contraindicated"


def test_only_the_care_team_may_correct_and_a_refusal_changes_nothing(
    patient, clinic, therapist, receptionist
):
    screening = _screen(patient, clinic, needle_phobia=True)
    colleague = TherapistFactory(user=UserFactory(), clinics=[clinic])
    MembershipFactory(user=colleague.user, clinic=clinic, role="therapist")

    for user in (therapist.user, colleague.user, receptionist):  # Tess has never seen Pat
        with pytest.raises(errors.NotInCareTeam):
            services.correct_screening(
                screening=screening,
                corrected_by=user,
                answers={"needle_phobia": False},
                reason="Mis-tap",
            )

    screening.refresh_from_db()
    assert screening.absolute_contraindications == ["needle_phobia"]
    assert not ScreeningCorrection.objects.exists()


@pytest.mark.parametrize(
    ("change", "reason", "error"),
    [
        ({"needle_phobia": True}, "Same again", errors.CorrectionChangesNothing),
        ({"no_such_question": True}, "Typo", errors.ScreeningIncomplete),
        ({"needle_phobia": "maybe"}, "Typo", errors.ScreeningIncomplete),
        ({"needle_phobia": False}, "   ", errors.ScreeningIncomplete),
    ],
)
def test_a_correction_needs_a_real_change_and_a_reason(
    patient, clinic, therapist, assessed, change, reason, error
):
    screening = _screen(patient, clinic, needle_phobia=True)

    with pytest.raises(error):
        services.correct_screening(
            screening=screening, corrected_by=therapist.user, answers=change, reason=reason
        )

    assert not ScreeningCorrection.objects.exists()
    screening.refresh_from_db()
    assert screening.answers["needle_phobia"] is True


def test_an_older_screening_cannot_be_corrected(patient, clinic, therapist, assessed):
    older = _screen(patient, clinic, needle_phobia=True)
    with time_machine.travel(timedelta(minutes=5)):
        _screen(patient, clinic)

    with pytest.raises(errors.ScreeningNotCurrent):
        services.correct_screening(
            screening=older,
            corrected_by=therapist.user,
            answers={"needle_phobia": False},
            reason="Mis-tap",
        )


def test_correcting_through_the_api(api, patient, clinic, therapist, assessed, receptionist):
    screening = _screen(patient, clinic, needle_phobia=True)
    url = f"/api/v1/screenings/{screening.pk}/correct/"

    refused = api(receptionist).post(
        url, {"answers": {"needle_phobia": False}, "reason": "x"}, format="json"
    )
    assert refused.status_code in (403, 404)
    missing_reason = api(therapist.user).post(
        url, {"answers": {"needle_phobia": False}}, format="json"
    )
    assert missing_reason.status_code == 400
    assert missing_reason.json()["error"]["fields"]["reason"]
    unchanged = api(therapist.user).post(
        url, {"answers": {"needle_phobia": True}, "reason": "Same"}, format="json"
    )
    assert unchanged.status_code == 400
    assert unchanged.json()["error"]["code"] == "correction_changes_nothing"
    assert not ScreeningCorrection.objects.exists()

    response = api(therapist.user).post(
        url,
        {"answers": {"needle_phobia": False}, "reason": "Phoned Pat: a mis-tap."},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["absolute_contraindications"] == []
    [correction] = body["corrections"]
    assert correction["reason"] == "Phoned Pat: a mis-tap."
    assert correction["before"] == {"needle_phobia": True}
    assert correction["after"] == {"needle_phobia": False}
    assert correction["corrected_by"] == therapist.user.pk
