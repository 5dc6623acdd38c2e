"""Whether a patient is cleared for dry needling on a day, and the records that decide it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Q, QuerySet, Subquery

from booking.models import Patient

from .. import errors
from ..models import NeedlingConsent, NeedlingScreening

CLEARED = "cleared"
SCREENING_REQUIRED = "screening_required"
CONTRAINDICATED = "contraindicated"
REVIEW_REQUIRED = "review_required"
ACKNOWLEDGEMENT_REQUIRED = "acknowledgement_required"
CONSENT_REQUIRED = "consent_required"
CLEARANCE_STATUSES = (
    CLEARED,
    SCREENING_REQUIRED,
    CONTRAINDICATED,
    REVIEW_REQUIRED,
    ACKNOWLEDGEMENT_REQUIRED,
    CONSENT_REQUIRED,
)


def latest_screening(patient_id: int, *, for_update: bool = False) -> NeedlingScreening | None:
    """The patient's current screening: the newest (a newer one supersedes the rest)."""
    screenings = NeedlingScreening.objects.filter(patient_id=patient_id)
    if for_update:
        screenings = screenings.select_for_update()
    return screenings.order_by("-screened_at", "-id").first()


@dataclass(frozen=True)
class NeedlingClearance:
    """Whether a patient may be needled on a day, and the records that decide it."""

    status: str
    screening: NeedlingScreening | None = None
    consent: NeedlingConsent | None = None

    @property
    def cleared(self) -> bool:
        return self.status == CLEARED

    def error(self, patient: Patient, *, clinical_detail: bool) -> errors.NeedlingNotCleared:
        """The error that explains why not. Clinical detail only for clinicians: reception
        booking a needling session learns that it is refused, not which condition the patient
        has."""
        name = patient.full_name
        if self.status == SCREENING_REQUIRED:
            return errors.NeedlingScreeningRequired(
                f"{name} needs a current dry-needling screening before needling is planned or "
                "booked."
            )
        if self.status == CONTRAINDICATED:
            details = (
                {"contraindications": self.screening.absolute_contraindications}
                if clinical_detail
                else {}
            )
            return errors.NeedlingContraindicated(
                f"{name}'s screening records an absolute contraindication to dry needling; "
                "choose a non-needling treatment.",
                details=details,
            )
        if self.status == REVIEW_REQUIRED:
            details = {"unsure": self.screening.unsure} if clinical_detail else {}
            return errors.NeedlingReviewRequired(
                f'{name} answered "not sure" on their dry-needling screening; a clinician who '
                "treats them must check it with them and correct the screening first.",
                details=details,
            )
        if self.status == ACKNOWLEDGEMENT_REQUIRED:
            details = (
                {"precautions": self.screening.relative_contraindications}
                if clinical_detail
                else {}
            )
            return errors.NeedlingAcknowledgementRequired(
                f"{name}'s screening lists precautions for dry needling; a needling-qualified "
                "therapist must acknowledge them first.",
                details=details,
            )
        return errors.NeedlingConsentRequired(
            f"{name} has not given consent to dry needling since their latest screening."
        )


def needling_clearance(*, patient: Patient, on: date) -> NeedlingClearance:
    """The patient's dry-needling clearance for a session on `on`.

    The latest screening decides (a newer one supersedes an older "all clear"); it must still be
    valid on that day. Then: no absolute contraindication, no answer left "not sure", any
    precautions acknowledged, and a
    consent given after that screening and not withdrawn.
    """
    screening = latest_screening(patient.pk)
    return _clearance(
        screening,
        on,
        lambda: (
            screening.consents.filter(withdrawn_at__isnull=True)
            .order_by("-given_at", "-id")
            .first()
        ),
    )


def needling_clearances(patient_ids: set[int]):
    """clearance(patient_id, on) for many patients, read in two queries (pages listing many
    sessions call it per session; needling_clearance per session would query per session)."""
    latest: dict[int, NeedlingScreening] = {}
    for screening in NeedlingScreening.objects.filter(patient_id__in=patient_ids).order_by(
        "-screened_at", "-id"
    ):
        latest.setdefault(screening.patient_id, screening)
    consents: dict[int, NeedlingConsent] = {}
    for consent in NeedlingConsent.objects.filter(
        screening__in=[s.pk for s in latest.values()], withdrawn_at__isnull=True
    ).order_by("-given_at", "-id"):
        consents.setdefault(consent.screening_id, consent)

    def clearance(patient_id: int, on: date) -> NeedlingClearance:
        screening = latest.get(patient_id)
        return _clearance(screening, on, lambda: consents.get(screening.pk))

    return clearance


def _clearance(screening, on: date, latest_consent) -> NeedlingClearance:
    """The rule of needling_clearance, given the latest screening; `latest_consent()` reads
    its latest consent not withdrawn, only when the rule gets that far."""
    if screening is None or screening.valid_until < on:
        return NeedlingClearance(SCREENING_REQUIRED, screening)
    if screening.has_absolute:
        return NeedlingClearance(CONTRAINDICATED, screening)
    # "Not sure" is never read as "no": a clinician resolves it with the patient first.
    if screening.has_unsure:
        return NeedlingClearance(REVIEW_REQUIRED, screening)
    if screening.needs_acknowledgement:
        return NeedlingClearance(ACKNOWLEDGEMENT_REQUIRED, screening)
    consent = latest_consent()
    if consent is None:
        return NeedlingClearance(CONSENT_REQUIRED, screening)
    return NeedlingClearance(CLEARED, screening, consent)


def screenings_to_review(*, clinic_ids, today: date) -> QuerySet[NeedlingScreening]:
    """Patients' current screenings waiting for a clinician's call, oldest first: an answer
    "not sure" to resolve, or precautions to judge (see NeedlingScreening.needs_review).

    Only each patient's latest screening, still valid on `today`, recorded at one of
    `clinic_ids`. Returns rows without reading their clinical content: staff who do not treat
    the patient may see that a call is due, not why (plans.access gates the answers).
    """
    latest = (
        NeedlingScreening.objects.filter(patient=OuterRef("patient"))
        .order_by("-screened_at", "-id")
        .values("pk")[:1]
    )
    return (
        NeedlingScreening.objects.filter(
            clinic_id__in=clinic_ids, valid_until__gte=today, absolute_contraindications=[]
        )
        .filter(pk=Subquery(latest))
        .filter(
            ~Q(unsure=[])
            | (~Q(relative_contraindications=[]) & Q(precautions_acknowledged_at__isnull=True))
        )
        .select_related("patient", "clinic")
        .order_by("screened_at", "id")
    )
