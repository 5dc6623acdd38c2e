"""Safety before needling: the screening questionnaire, the therapist's acknowledgement of
precautions, the patient's consent, and the check every needling booking passes.

The rules (plans/clinical.py has the questions and their sources):
- a patient with an absolute contraindication on their current screening is never needled;
- an answer "not sure" is never read as "no": a clinician who treats the patient checks it with
  them and corrects the screening (with a reason, audited) before needling;
- relative contraindications (precautions) need a needling-qualified therapist's recorded
  acknowledgement;
- consent is given after the current screening (a new screening - new medication, pregnancy -
  needs fresh consent) and counts until withdrawn; written consent in pregnancy, a parent's or
  guardian's under 16.
Clinic staff do not bypass any of this: `apply_policy=False` relaxes booking policy (notice,
online-bookable), never clinical safety.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from booking.models import Clinic, Patient, Treatment
from core.dates import age_on
from core.users import acting_user

from .. import errors
from ..access import treats
from ..clinical import (
    QUESTIONNAIRE_VERSION,
    SCREENING_ITEMS_BY_CODE,
    SCREENING_VALID_FOR,
    WRITTEN_CONSENT_FOR,
    classify_answers,
)
from ..models import ConsentMethod, NeedlingConsent, NeedlingScreening, ScreeningCorrection
from ..selectors import involves_needling, latest_screening, needling_clearance

NEEDLING_QUALIFICATION = "dry_needling"


def _check_answers(answers: dict, *, complete: bool) -> None:
    """Every code known, every value yes (True), no (False) or not sure (None); with
    `complete`, every question of the current questionnaire answered."""
    missing = sorted(set(SCREENING_ITEMS_BY_CODE) - set(answers)) if complete else []
    unknown = sorted(set(answers) - set(SCREENING_ITEMS_BY_CODE))
    not_an_answer = sorted(
        code for code, value in answers.items() if value is not None and not isinstance(value, bool)
    )
    if missing or unknown or not_an_answer:
        raise errors.ScreeningIncomplete(
            "Answer every screening question with yes, no or not sure.",
            details={"missing": missing, "unknown": unknown, "not_yes_or_no": not_an_answer},
        )


def record_screening(
    *,
    patient: Patient,
    clinic: Clinic,
    answers: dict[str, bool | None],
    screened_by=None,
    notes: str = "",
    now: datetime | None = None,
) -> NeedlingScreening:
    """Record a completed dry-needling screening; it becomes the patient's current one.

    Every question of the current questionnaire must be answered yes (True), no (False) or
    not sure (None) (ScreeningIncomplete, 400, listing missing and unknown codes). The
    contraindications found, and the questions answered "not sure", are stored with the answers
    so the record keeps its meaning if the questionnaire changes. A "not sure" leaves the patient
    not cleared for needling until a clinician corrects it (correct_screening).
    Not idempotent: each call is a new screening (and makes earlier consent no longer count).
    """
    now = now or timezone.now()
    _check_answers(answers, complete=True)
    absolute, relative, unsure = classify_answers(answers)
    return NeedlingScreening.objects.create(
        patient=patient,
        clinic=clinic,
        questionnaire_version=QUESTIONNAIRE_VERSION,
        answers=answers,
        absolute_contraindications=absolute,
        relative_contraindications=relative,
        unsure=unsure,
        notes=notes,
        screened_by=acting_user(screened_by),
        screened_at=now,
        valid_until=clinic.today(now) + SCREENING_VALID_FOR,
    )


@transaction.atomic
def correct_screening(
    *,
    screening: NeedlingScreening,
    corrected_by,
    answers: dict[str, bool | None],
    reason: str,
    now: datetime | None = None,
) -> ScreeningCorrection:
    """Correct answers of a patient's current screening (a mis-tap, or a "not sure" resolved
    with the patient), and record who, when, why and the answers before and after.

    Only a clinician in the patient's care team may correct (plans.access.treats: NotInCareTeam,
    403). `answers` holds the changed questions only (code -> True, False or None); a reason is
    required (ScreeningIncomplete, 400, as for bad codes or values;
    CorrectionChangesNothing, 400, when nothing differs). Only the latest screening can be
    corrected (ScreeningNotCurrent, 409): older ones no longer decide anything.

    The rules stay those of a new screening: the contraindications are worked out again from
    the corrected answers. A precaution the correction adds needs a fresh acknowledgement, and
    a correction adding pregnancy withdraws verbal-only consent (written consent is needed).
    Writes nothing on failure; not idempotent (a second identical call changes nothing: 400).
    """
    now = now or timezone.now()
    screening = (
        NeedlingScreening.objects.select_for_update().select_related("patient").get(pk=screening.pk)
    )
    if not treats(corrected_by, screening.patient):
        raise errors.NotInCareTeam(
            f"Only a clinician who treats {screening.patient.full_name} may correct their "
            "screening."
        )
    reason = (reason or "").strip()
    if not reason:
        raise errors.ScreeningIncomplete(
            "Say why the screening is corrected.", details={"reason": ["This field is required."]}
        )
    if latest_screening(screening.patient_id).pk != screening.pk:
        raise errors.ScreeningNotCurrent(
            "Only the patient's latest screening can be corrected; a newer one has replaced it."
        )
    _check_answers(answers, complete=False)
    changed = {
        code: value for code, value in answers.items() if screening.answers.get(code) != value
    }
    if not changed:
        raise errors.CorrectionChangesNothing()

    before = {code: screening.answers.get(code) for code in changed}
    new_answers = {**screening.answers, **changed}
    absolute, relative, unsure = classify_answers(new_answers)
    added_precautions = set(relative) - set(screening.relative_contraindications)
    screening.answers = new_answers
    screening.absolute_contraindications = absolute
    screening.relative_contraindications = relative
    screening.unsure = unsure
    fields = ["answers", "absolute_contraindications", "relative_contraindications", "unsure"]
    if added_precautions and screening.precautions_acknowledged_at is not None:
        # The acknowledgement judged other precautions; the new ones need judging too.
        screening.precautions_acknowledged_at = None
        screening.precautions_acknowledged_by = None
        screening.acknowledgement_note = ""
        fields += [
            "precautions_acknowledged_at",
            "precautions_acknowledged_by",
            "acknowledgement_note",
        ]
    # The change history records the user and the reason with the before/after of each field
    # (simple-history's reason column holds 100 characters; the correction row keeps it whole).
    screening._history_user = corrected_by
    screening._change_reason = reason[:100]
    screening.save(update_fields=fields)

    if added_precautions & WRITTEN_CONSENT_FOR:
        for consent in NeedlingConsent.objects.select_for_update().filter(
            screening=screening, withdrawn_at__isnull=True, method=ConsentMethod.VERBAL
        ):
            consent.withdrawn_at = now
            consent.withdrawn_by = corrected_by
            consent.withdrawal_note = (
                "Withdrawn by a screening correction: in pregnancy consent must be written."
            )
            consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])

    return ScreeningCorrection.objects.create(
        screening=screening,
        patient_id=screening.patient_id,
        corrected_by=corrected_by,
        corrected_at=now,
        reason=reason,
        before=before,
        after=changed,
    )


def _require_needling_therapist(user) -> None:
    therapist = getattr(user, "therapist", None)
    if (
        therapist is None
        or not therapist.qualifications.filter(code=NEEDLING_QUALIFICATION).exists()
    ):
        raise errors.TherapistNotQualified(
            "Only a therapist qualified in dry needling can judge needling precautions."
        )


@transaction.atomic
def acknowledge_precautions(
    *, screening: NeedlingScreening, acknowledged_by, note: str, now: datetime | None = None
) -> NeedlingScreening:
    """Record that a needling-qualified therapist considered the screening's precautions, and how
    they change the treatment (`note`).

    Raises TherapistNotQualified (400) for anyone else, NoPrecautionsToAcknowledge (409) when
    there is nothing (left) to acknowledge. Writes nothing on failure.
    """
    screening = NeedlingScreening.objects.select_for_update().get(pk=screening.pk)
    _require_needling_therapist(acknowledged_by)
    if not screening.relative_contraindications:
        raise errors.NoPrecautionsToAcknowledge("This screening lists no precautions.")
    if screening.precautions_acknowledged_at is not None:
        raise errors.NoPrecautionsToAcknowledge("These precautions have already been acknowledged.")
    screening.precautions_acknowledged_by = acknowledged_by
    screening.precautions_acknowledged_at = now or timezone.now()
    screening.acknowledgement_note = note
    screening.save(
        update_fields=[
            "precautions_acknowledged_by",
            "precautions_acknowledged_at",
            "acknowledgement_note",
        ]
    )
    return screening


@transaction.atomic
def record_consent(
    *,
    screening: NeedlingScreening,
    given_by: str,
    method: str,
    scope: str,
    recorded_by=None,
    by_guardian: bool = False,
    information_version: str = "",
    witnessed_by: str = "",
    now: datetime | None = None,
) -> NeedlingConsent:
    """Record the patient's informed consent to dry needling, after their current screening.

    Refused when the screening is not the patient's current one (ScreeningNotCurrent, 409),
    when it records an absolute contraindication (NeedlingContraindicated, 400), when it lists
    pregnancy and the consent is only verbal (WrittenConsentRequired, 400), and for a patient
    under 16 unless a parent or guardian gives it (GuardianConsentRequired, 400).
    """
    now = now or timezone.now()
    today = screening.clinic.today(now)
    latest = latest_screening(screening.patient_id, for_update=True)
    if latest.pk != screening.pk or screening.valid_until < today:
        raise errors.ScreeningNotCurrent(
            "Consent must follow the patient's current screening; screen the patient again."
        )
    if screening.has_absolute:
        raise errors.NeedlingContraindicated(
            "The screening records an absolute contraindication: the patient must not be needled.",
            details={"contraindications": screening.absolute_contraindications},
        )
    if (
        set(screening.relative_contraindications) & WRITTEN_CONSENT_FOR
        and method == ConsentMethod.VERBAL
    ):
        raise errors.WrittenConsentRequired(
            "In pregnancy, consent to needling must be written or signed, not only verbal."
        )
    birth = screening.patient.date_of_birth
    if birth is not None and age_on(birth, today) < 16 and not by_guardian:
        raise errors.GuardianConsentRequired(
            "A parent or guardian must consent for a patient under 16."
        )
    return NeedlingConsent.objects.create(
        screening=screening,
        patient_id=screening.patient_id,
        given_by=given_by,
        by_guardian=by_guardian,
        given_at=now,
        method=method,
        scope=scope,
        information_version=information_version,
        witnessed_by=witnessed_by,
        recorded_by=acting_user(recorded_by),
    )


@transaction.atomic
def withdraw_consent(
    *, screening: NeedlingScreening, withdrawn_by=None, note: str = "", now: datetime | None = None
) -> NeedlingScreening:
    """Withdraw every current consent given after this screening: from now on needling can be
    neither planned nor booked for the patient until they consent again.

    Sessions already booked stay in the diary (the therapist sees the plan's clearance and
    confirms consent at the session anyway). ConsentAlreadyWithdrawn (409) when no consent is
    current.
    """
    consents = list(
        NeedlingConsent.objects.select_for_update().filter(
            screening=screening, withdrawn_at__isnull=True
        )
    )
    if not consents:
        raise errors.ConsentAlreadyWithdrawn("There is no current consent to withdraw.")
    # One save per consent (usually one), not a queryset update: each withdrawal is a change
    # the audit trail must record.
    for consent in consents:
        consent.withdrawn_at = now or timezone.now()
        consent.withdrawn_by = acting_user(withdrawn_by)
        consent.withdrawal_note = note
        consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
    return screening


def check_needling_booking(
    *, treatment: Treatment, patient: Patient, start: datetime, apply_policy: bool
) -> None:
    """The booking eligibility check (registered in PlansConfig.ready): a treatment that
    involves dry needling - its modality, or a combined treatment needing the dry-needling
    qualification - is booked only for a patient cleared for needling on the session's date.

    Applies to everyone, staff included (`apply_policy` is deliberately ignored). Raises a
    NeedlingNotCleared subclass (400) without clinical detail, since reception may be booking.
    """
    if not involves_needling(treatment):
        return
    day = start.astimezone(treatment.clinic.tz).date()
    clearance = needling_clearance(patient=patient, on=day)
    if not clearance.cleared:
        raise clearance.error(patient, clinical_detail=False)
