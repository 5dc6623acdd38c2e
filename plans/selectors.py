"""Reads with a rule in them: which plans a user sees, whether a patient is cleared for dry
needling, and a plan's progress and exercise adherence.

Who sees what (docs/decisions/0003-treatment-plans.md): staff see their clinics' plans, the
patient their own once they leave draft. Clinical content (a plan's clinical fields, progress,
adherence, logs, outcomes, screenings) only through the one gate in plans/access.py: the
patient and the clinicians who treat them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from booking.models import Booking, ClinicMembership, Modality, Patient, Treatment

from . import errors
from .clinical import ADHERENCE_TARGET_PERCENT, MEASURES, Measure
from .models import (
    Exercise,
    ExerciseLog,
    ExercisePrescription,
    NeedlingConsent,
    NeedlingScreening,
    OutcomeRecord,
    PlanPhase,
    PlanSession,
    PlanStatus,
    PlanTemplate,
    SessionComponent,
    TreatmentPlan,
)

# --- what staff see of plans ---------------------------------------------------------------------


def _staff_clinics(user):
    return ClinicMembership.objects.filter(user=user).values("clinic_id")


def patient_clinic_ids(patient: Patient) -> set[int]:
    """The patient's home clinic and every clinic they have been booked at."""
    ids = set(
        Booking.objects.filter(patient=patient).values_list("clinic_id", flat=True).distinct()
    )
    ids.add(patient.clinic_id)
    return ids


def plans_visible_to(user) -> QuerySet[TreatmentPlan]:
    """Staff see their clinics' plans (the scheduling side; clinical content only through
    plans.access); a patient sees their own once they leave draft."""
    plans = TreatmentPlan.objects.select_related("patient", "clinic", "lead_therapist")
    if user.is_superuser:
        return plans
    own = Q(patient__user=user) & ~Q(status=PlanStatus.DRAFT)
    return plans.filter(own | Q(clinic_id__in=_staff_clinics(user)))


def plan_detail_queryset(plans: QuerySet[TreatmentPlan]) -> QuerySet[TreatmentPlan]:
    """Plans with everything the plan representation shows, in a fixed number of queries."""
    sessions = PlanSession.objects.select_related(
        "booking", "component__treatment", "component__phase"
    ).order_by("component__phase__order", "component_id", "sequence")
    phases = PlanPhase.objects.prefetch_related(
        Prefetch("components", queryset=SessionComponent.objects.select_related("treatment")),
        Prefetch("prescriptions", queryset=ExercisePrescription.objects.select_related("exercise")),
    )
    return plans.select_related("template", "preferred_therapist").prefetch_related(
        "goals", Prefetch("phases", queryset=phases), Prefetch("sessions", queryset=sessions)
    )


def exercises_visible_to(user) -> QuerySet[Exercise]:
    """The shared library and the clinic's own exercises; staff also see retired ones."""
    exercises = Exercise.objects.select_related("clinic")
    if user.is_superuser:
        return exercises
    staff = Q(clinic_id__in=_staff_clinics(user))
    patient_clinic = Q(clinic_id__in=Patient.objects.filter(user=user).values("clinic_id"))
    return exercises.filter(staff | (Q(is_active=True) & (Q(clinic__isnull=True) | patient_clinic)))


def templates_visible_to(user) -> QuerySet[PlanTemplate]:
    """Clinic staff see the shared templates and their clinics' own."""
    templates = PlanTemplate.objects.select_related("clinic").prefetch_related(
        "phases__sessions", "phases__exercises__exercise"
    )
    if user.is_superuser:
        return templates
    return templates.filter(Q(clinic__isnull=True) | Q(clinic_id__in=_staff_clinics(user)))


def treatment_modalities(treatment: Treatment) -> set[str]:
    """The modalities a treatment delivers: its own, plus those its qualifications imply.

    A "dry needling + massage" combined treatment requires the dry_needling qualification, so it
    is needling for every safety and spacing rule.
    """
    codes = {treatment.modality}
    # .all() so that a caller's prefetch_related("treatment__required_qualifications") is used.
    codes.update(
        qualification.code
        for qualification in treatment.required_qualifications.all()
        if qualification.code in Modality.values
    )
    return codes


def involves_needling(treatment: Treatment) -> bool:
    return Modality.DRY_NEEDLING in treatment_modalities(treatment)


# --- dry-needling clearance ---------------------------------------------------------------------

CLEARED = "cleared"
SCREENING_REQUIRED = "screening_required"
CONTRAINDICATED = "contraindicated"
REVIEW_REQUIRED = "review_required"
ACKNOWLEDGEMENT_REQUIRED = "acknowledgement_required"
CONSENT_REQUIRED = "consent_required"


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
    screening = (
        NeedlingScreening.objects.filter(patient=patient).order_by("-screened_at", "-id").first()
    )
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


# --- progress -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressPoint:
    recorded_on: date
    value: Decimal
    change: Decimal


@dataclass
class MeasureProgress:
    """One measure (and movement or activity) of a plan: its scores and what they mean."""

    measure: Measure
    label: str
    points: list[ProgressPoint]
    target: Decimal | None = None

    @property
    def baseline(self) -> ProgressPoint:
        return self.points[0]

    @property
    def latest(self) -> ProgressPoint:
        return self.points[-1]

    @property
    def change(self) -> Decimal:
        return self.latest.value - self.baseline.value

    @property
    def improvement(self) -> Decimal:
        """The change in the better direction (positive = better)."""
        return self.change if self.measure.higher_is_better else -self.change

    @property
    def percent_change(self) -> Decimal | None:
        if self.baseline.value == 0:
            return None
        return (self.change / self.baseline.value * 100).quantize(Decimal("0.1"))

    @property
    def mcid_threshold(self) -> Decimal:
        """The score that would be a clinically important improvement on the baseline."""
        step = self.measure.mcid if self.measure.higher_is_better else -self.measure.mcid
        bound = self.baseline.value + step
        return min(max(bound, self.measure.scale_min), self.measure.scale_max)

    @property
    def mcid_reached(self) -> bool:
        if len(self.points) < 2:
            return False
        if self.improvement >= self.measure.mcid:
            return True
        percent = self.measure.mcid_percent
        if percent is None or self.baseline.value == 0 or self.improvement <= 0:
            return False
        return self.improvement / abs(self.baseline.value) * 100 >= percent

    @property
    def target_reached(self) -> bool | None:
        if self.target is None:
            return None
        if self.measure.higher_is_better:
            return self.latest.value >= self.target
        return self.latest.value <= self.target


def plan_progress(plan: TreatmentPlan) -> list[MeasureProgress]:
    """Each measure's scores in date order, change from the first (baseline), MCID and target."""
    grouped: dict[tuple[str, str], list[OutcomeRecord]] = defaultdict(list)
    for record in OutcomeRecord.objects.filter(plan=plan).order_by(
        "measure", "label", "recorded_on", "created_at", "id"
    ):
        grouped[(record.measure, record.label)].append(record)
    targets = {
        (goal.measure, goal.label): goal.target_value
        for goal in plan.goals.exclude(measure="").exclude(target_value__isnull=True)
    }
    progress = []
    for (measure, label), records in grouped.items():
        baseline = records[0].value
        points = [ProgressPoint(r.recorded_on, r.value, r.value - baseline) for r in records]
        progress.append(
            MeasureProgress(MEASURES[measure], label, points, targets.get((measure, label)))
        )
    return progress


@dataclass
class AdherenceWeek:
    week: int
    starts_on: date
    ends_on: date
    prescribed: int
    completed: int
    in_progress: bool
    by_exercise: list[dict] = field(default_factory=list)

    @property
    def percent(self) -> int | None:
        if not self.prescribed:
            return None
        return round(self.completed * 100 / self.prescribed)

    @property
    def meets_target(self) -> bool | None:
        if self.in_progress or self.percent is None:
            return None
        return self.percent >= ADHERENCE_TARGET_PERCENT


def _prescribed_in_week(prescription: ExercisePrescription, week: int, starts_on: date) -> bool:
    phase = prescription.phase
    if not phase.start_week <= week <= phase.end_week:
        return False
    return prescription.stopped_on is None or prescription.stopped_on >= starts_on


def plan_adherence(plan: TreatmentPlan, *, today: date) -> list[AdherenceWeek]:
    """Home-exercise adherence per plan week, from week 1 up to this week.

    Prescribed = times per day x days per week of every exercise prescribed that week; done =
    the logged bouts, counted up to what was prescribed (doing one exercise twice as often does
    not make up for skipping another). A week meets the target at 80% or more.
    """
    return plans_adherence([plan], today=today)[plan.pk]


def plans_adherence(plans: list[TreatmentPlan], *, today: date) -> dict[int, list[AdherenceWeek]]:
    """plan_adherence of each plan, by plan id, in two queries whatever the number of plans."""
    prescribed: dict[int, list[ExercisePrescription]] = defaultdict(list)
    for prescription in ExercisePrescription.objects.filter(
        phase__plan__in=[plan.pk for plan in plans]
    ).select_related("phase", "exercise"):
        prescribed[prescription.phase.plan_id].append(prescription)
    logged: dict[tuple[int, int], int] = defaultdict(int)
    starts = {plan.pk: plan.start_date for plan in plans}
    for plan_id, prescription_id, performed_on in ExerciseLog.objects.filter(
        plan__in=[plan.pk for plan in plans if prescribed[plan.pk]]
    ).values_list("plan_id", "prescription_id", "performed_on"):
        week = (performed_on - starts[plan_id]).days // 7 + 1
        logged[(prescription_id, week)] += 1
    return {plan.pk: _adherence(plan, prescribed[plan.pk], logged, today) for plan in plans}


def _adherence(
    plan: TreatmentPlan,
    prescriptions: list[ExercisePrescription],
    logged: dict[tuple[int, int], int],
    today: date,
) -> list[AdherenceWeek]:
    if not prescriptions or today < plan.start_date:
        return []
    last_week = max(p.phase.end_week for p in prescriptions)
    current_week = (today - plan.start_date).days // 7 + 1
    weeks = []
    for week in range(1, min(last_week, current_week) + 1):
        starts_on = plan.week_start(week)
        row = AdherenceWeek(
            week=week,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=6),
            prescribed=0,
            completed=0,
            in_progress=week == current_week,
        )
        for prescription in prescriptions:
            if not _prescribed_in_week(prescription, week, starts_on):
                continue
            done = min(logged[(prescription.pk, week)], prescription.per_week)
            row.prescribed += prescription.per_week
            row.completed += done
            row.by_exercise.append(
                {
                    "prescription": prescription.pk,
                    "exercise": prescription.exercise.name,
                    "prescribed": prescription.per_week,
                    "completed": done,
                }
            )
        weeks.append(row)
    return weeks
