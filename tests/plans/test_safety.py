"""Safety before needling: screening, precautions, consent, and the check on every booking."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from booking import services as booking_services
from booking.models import Booking
from plans import errors, services
from plans.models import NeedlingConsent, NeedlingScreening
from plans.selectors import needling_clearance
from tests.factories import TherapistFactory, TreatmentFactory, UserFactory
from tests.plans.conftest import answers, screen_and_consent

pytestmark = pytest.mark.usefixtures("frozen_now")

SLOT = "2027-03-02T10:00:00Z"
TODAY = date(2027, 3, 1)


def _status(patient, on=TODAY):
    return needling_clearance(patient=patient, on=on).status


def _book(api, user, treatment, **extra):
    return api(user).post(
        "/api/v1/bookings/", {"treatment": treatment.pk, "start": SLOT, **extra}, format="json"
    )


def test_a_clear_screening_and_consent_clear_the_patient(patient, clinic, therapist):
    assert _status(patient) == "screening_required"
    screening = services.record_screening(
        patient=patient, clinic=clinic, answers=answers(), screened_by=therapist.user
    )
    assert _status(patient) == "consent_required"
    services.record_consent(
        screening=screening,
        given_by="Pat Jones",
        method="verbal",
        scope="Neck",
        recorded_by=therapist.user,
    )
    assert _status(patient) == "cleared"


def test_an_absolute_contraindication_blocks_consent_and_needling(patient, clinic, therapist):
    screening = services.record_screening(
        patient=patient,
        clinic=clinic,
        answers=answers(needle_phobia=True),
        screened_by=therapist.user,
    )

    with pytest.raises(errors.NeedlingContraindicated):
        services.record_consent(screening=screening, given_by="Pat", method="written", scope="Neck")

    assert screening.absolute_contraindications == ["needle_phobia"]
    assert _status(patient) == "contraindicated"
    assert not NeedlingConsent.objects.exists()


def test_relative_contraindications_need_a_needling_therapists_acknowledgement(
    patient, clinic, therapist
):
    screening = services.record_screening(
        patient=patient,
        clinic=clinic,
        answers=answers(anticoagulants=True, diabetes=True),
        screened_by=therapist.user,
    )
    services.record_consent(screening=screening, given_by="Pat", method="written", scope="Neck")
    assert _status(patient) == "acknowledgement_required"

    masseur = TherapistFactory(
        user=UserFactory(), clinics=[clinic], qualifications=["sports_massage"]
    )
    with pytest.raises(errors.TherapistNotQualified):
        services.acknowledge_precautions(
            screening=screening, acknowledged_by=masseur.user, note="Fine"
        )
    screening.refresh_from_db()
    assert screening.precautions_acknowledged_at is None

    services.acknowledge_precautions(
        screening=screening, acknowledged_by=therapist.user, note="Superficial only"
    )
    assert _status(patient) == "cleared"
    with pytest.raises(errors.NoPrecautionsToAcknowledge):
        services.acknowledge_precautions(
            screening=screening, acknowledged_by=therapist.user, note="Again"
        )


def test_pregnancy_needs_written_consent(patient, clinic, therapist):
    screening = services.record_screening(
        patient=patient, clinic=clinic, answers=answers(pregnancy=True)
    )
    services.acknowledge_precautions(
        screening=screening, acknowledged_by=therapist.user, note="Avoid points"
    )

    with pytest.raises(errors.WrittenConsentRequired):
        services.record_consent(screening=screening, given_by="Pat", method="verbal", scope="Neck")
    assert not NeedlingConsent.objects.exists()
    services.record_consent(screening=screening, given_by="Pat", method="written", scope="Neck")
    assert _status(patient) == "cleared"


def test_under_sixteens_need_a_parent_or_guardians_consent(patient, clinic):
    patient.date_of_birth = date(2012, 6, 1)
    patient.save()
    screening = services.record_screening(patient=patient, clinic=clinic, answers=answers())

    with pytest.raises(errors.GuardianConsentRequired):
        services.record_consent(screening=screening, given_by="Pat", method="written", scope="Calf")
    services.record_consent(
        screening=screening,
        given_by="Sam Jones (mother)",
        by_guardian=True,
        method="written",
        scope="Calf",
    )
    assert _status(patient) == "cleared"


def test_a_new_screening_needs_fresh_consent(patient, clinic, therapist):
    screen_and_consent(patient, clinic, therapist.user)
    services.record_screening(patient=patient, clinic=clinic, answers=answers())

    assert _status(patient) == "consent_required"


def test_consent_cannot_follow_an_older_screening(patient, clinic, therapist):
    older = services.record_screening(patient=patient, clinic=clinic, answers=answers())
    with time_machine.travel(timedelta(minutes=5)):
        services.record_screening(
            patient=patient, clinic=clinic, answers=answers(anticoagulants=True)
        )

    with pytest.raises(errors.ScreeningNotCurrent):
        services.record_consent(screening=older, given_by="Pat", method="written", scope="Neck")


def test_a_screening_expires_after_about_six_months(patient, clinic, therapist):
    screening = screen_and_consent(patient, clinic, therapist.user)

    assert _status(patient, on=screening.valid_until) == "cleared"
    assert _status(patient, on=screening.valid_until + timedelta(days=1)) == "screening_required"


def test_withdrawn_consent_stops_needling_and_cannot_be_withdrawn_twice(patient, clinic, therapist):
    screening = screen_and_consent(patient, clinic, therapist.user)
    services.withdraw_consent(
        screening=screening, withdrawn_by=patient.user, note="Changed my mind"
    )

    assert _status(patient) == "consent_required"
    with pytest.raises(errors.ConsentAlreadyWithdrawn):
        services.withdraw_consent(screening=screening)


def test_booking_needling_without_a_screening_is_refused_even_for_reception(
    api, patient, needling, receptionist
):
    for user, extra in ((patient.user, {}), (receptionist, {"patient": patient.pk})):
        response = _book(api, user, needling, **extra)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "needling_screening_required"
    assert not Booking.objects.exists()


def test_reception_learns_a_booking_is_refused_but_not_the_clinical_reason(
    api, patient, clinic, therapist, needling, receptionist
):
    services.record_screening(patient=patient, clinic=clinic, answers=answers(needle_phobia=True))

    response = _book(api, receptionist, needling, patient=patient.pk)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "needling_contraindicated"
    assert "details" not in error
    assert "phobia" not in error["message"]
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("flags", "acknowledge", "code"),
    [
        ({"anticoagulants": True}, False, "needling_acknowledgement_required"),
        ({}, False, "needling_consent_required"),
    ],
)
def test_booking_needling_checks_precautions_and_consent(
    api, patient, clinic, therapist, needling, flags, acknowledge, code
):
    services.record_screening(patient=patient, clinic=clinic, answers=answers(**flags))

    response = _book(api, therapist.user, needling, patient=patient.pk)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not Booking.objects.exists()


def test_a_cleared_patient_books_needling(api, patient, needling, cleared):
    response = _book(api, patient.user, needling)

    assert response.status_code == 201, response.json()
    assert Booking.objects.filter(treatment=needling).count() == 1


def test_a_combined_treatment_needing_the_needling_qualification_is_checked(
    api, patient, clinic, room, therapist, receptionist
):
    combined = TreatmentFactory(
        clinic=clinic,
        name="Needling + massage",
        modality="combined",
        required_qualifications=["dry_needling", "sports_massage"],
    )

    response = _book(api, receptionist, combined, patient=patient.pk)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "needling_screening_required"


def test_other_treatments_need_no_screening(api, patient, massage):
    assert _book(api, patient.user, massage).status_code == 201


def test_moving_a_needling_booking_rechecks_consent(patient, needling, cleared):
    booking = booking_services.book_session(
        treatment=needling, start=datetime(2027, 3, 3, 10, tzinfo=UTC), patient=patient
    )
    services.withdraw_consent(screening=cleared)

    with pytest.raises(errors.NeedlingConsentRequired):
        booking_services.reschedule_booking(
            booking=booking, start=booking.start + timedelta(days=1), apply_policy=False
        )
    booking.refresh_from_db()
    assert booking.version == 1


def test_screening_api_records_answers_and_refuses_incomplete_ones(
    api, patient, therapist, assessed
):
    client = api(therapist.user)
    partial = {"needle_phobia": False}

    refused = client.post(
        "/api/v1/screenings/", {"patient": patient.pk, "answers": partial}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "screening_incomplete"
    assert "pregnancy" in refused.json()["error"]["details"]["missing"]
    assert not NeedlingScreening.objects.exists()

    created = client.post(
        "/api/v1/screenings/",
        {"patient": patient.pk, "answers": answers(epilepsy=True)},
        format="json",
    )
    assert created.status_code == 201, created.json()
    screening = created.json()
    assert screening["relative_contraindications"] == ["epilepsy"]

    acknowledged = client.post(
        f"/api/v1/screenings/{screening['id']}/acknowledge/",
        {"note": "Treat lying down"},
        format="json",
    )
    assert acknowledged.status_code == 200
    consent = client.post(
        f"/api/v1/screenings/{screening['id']}/consent/",
        {"given_by": "Pat Jones", "method": "written", "scope": "Upper trapezius, both sides"},
        format="json",
    )
    assert consent.status_code == 201, consent.json()
    assert consent.json()["consents"][0]["recorded_by"] == therapist.user.pk
    clearance = client.get(f"/api/v1/screenings/clearance/?patient={patient.pk}").json()
    assert clearance["clearance"] == "cleared"


def test_patient_withdraws_their_own_consent(api, patient, clinic, therapist):
    screening = screen_and_consent(patient, clinic, therapist.user)

    response = api(patient.user).post(
        f"/api/v1/screenings/{screening.pk}/withdraw-consent/", {}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["consents"][0]["withdrawn_by"] == patient.user.pk
    assert _status(patient) == "consent_required"


def test_screenings_are_hidden_from_reception_and_other_clinics(
    api, patient, clinic, therapist, receptionist, other_therapist
):
    screening = screen_and_consent(patient, clinic, therapist.user)

    assert api(receptionist).get("/api/v1/screenings/").status_code == 403
    assert api(other_therapist.user).get(f"/api/v1/screenings/{screening.pk}/").status_code == 404
    assert api(patient.user).get(f"/api/v1/screenings/{screening.pk}/").status_code == 200
    refused = api(other_therapist.user).post(
        "/api/v1/screenings/", {"patient": patient.pk, "answers": answers()}, format="json"
    )
    assert refused.status_code == 400
    assert NeedlingScreening.objects.count() == 1


def test_the_questionnaire_lists_absolute_and_relative_questions(api, therapist):
    body = api(therapist.user).get("/api/v1/screenings/questionnaire/").json()

    categories = {q["code"]: q["category"] for q in body["questions"]}
    assert categories["needle_phobia"] == "absolute"
    assert categories["lymphoedema_at_site"] == "absolute"
    assert categories["anticoagulants"] == "relative"
    assert categories["pregnancy"] == "relative"
