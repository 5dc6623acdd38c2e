"""Safety before needling: the screening questionnaire, the therapist's acknowledgement of
precautions, the patient's consent, and the check every needling booking passes.

The rules (plans/clinical.py has the questions and their sources):
- a patient with an absolute contraindication on their current screening is never needled;
- relative contraindications (precautions) need a needling-qualified therapist's recorded
  acknowledgement;
- consent is given after the current screening (a new screening - new medication, pregnancy -
  needs fresh consent) and counts until withdrawn; written consent in pregnancy, a parent's or
  guardian's under 16.
Clinic staff do not bypass any of this: `apply_policy=False` relaxes booking policy (notice,
online-bookable), never clinical safety.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from booking.models import Clinic, Patient, Treatment
from core.users import acting_user

from .. import errors
from ..clinical import (
    QUESTIONNAIRE_VERSION,
    SCREENING_ITEMS_BY_CODE,
    SCREENING_VALID_FOR,
    WRITTEN_CONSENT_FOR,
    classify_answers,
)
from ..models import ConsentMethod, NeedlingConsent, NeedlingScreening
from ..selectors import involves_needling, needling_clearance

NEEDLING_QUALIFICATION = "dry_needling"


def record_screening(
    *,
    patient: Patient,
    clinic: Clinic,
    answers: dict[str, bool],
    screened_by=None,
    notes: str = "",
    now: datetime | None = None,
) -> NeedlingScreening:
    """Record a completed dry-needling screening; it becomes the patient's current one.

    Every question of the current questionnaire must be answered yes or no
    (ScreeningIncomplete, 400, listing missing and unknown codes). The contraindications found
    are stored with the answers so the record keeps its meaning if the questionnaire changes.
    Not idempotent: each call is a new screening (and makes earlier consent no longer count).
    """
    now = now or timezone.now()
    missing = sorted(set(SCREENING_ITEMS_BY_CODE) - set(answers))
    unknown = sorted(set(answers) - set(SCREENING_ITEMS_BY_CODE))
    not_bool = sorted(code for code, value in answers.items() if not isinstance(value, bool))
    if missing or unknown or not_bool:
        raise errors.ScreeningIncomplete(
            "Answer every screening question with yes or no.",
            details={"missing": missing, "unknown": unknown, "not_yes_or_no": not_bool},
        )
    absolute, relative = classify_answers(answers)
    return NeedlingScreening.objects.create(
        patient=patient,
        clinic=clinic,
        questionnaire_version=QUESTIONNAIRE_VERSION,
        answers=answers,
        absolute_contraindications=absolute,
        relative_contraindications=relative,
        notes=notes,
        screened_by=acting_user(screened_by),
        screened_at=now,
        valid_until=clinic.today(now) + SCREENING_VALID_FOR,
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


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


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
    latest = (
        NeedlingScreening.objects.select_for_update()
        .filter(patient_id=screening.patient_id)
        .order_by("-screened_at", "-id")
        .first()
    )
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
    if birth is not None and _age_on(birth, today) < 16 and not by_guardian:
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
