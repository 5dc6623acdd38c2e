"""Building a plan: from a template (copied and tailored to the patient's preferences) or by
hand, and creating templates. The checks and write helpers here are shared with tailoring.py.

Rules every plan change keeps:
- a plan's treatments are active treatments of the plan's clinic; its exercises come from the
  shared library or the clinic's own;
- a phase holds at most `per_week x weeks` sessions of a component;
- nothing the patient asked to avoid is added (the template builder offers the alternative);
- needling added to an active plan needs the patient's needling clearance, as activation does;
- booked, attended or missed sessions and logged exercise are never deleted by an edit.
Each service runs in one transaction with the plan row locked and writes nothing on failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction

from audit.history import bulk_create_with_history
from booking.models import Clinic, Modality, Patient, PatientType, Therapist, Treatment
from core.users import acting_user

from .. import errors
from ..clinical import (
    ALTERNATIVE_MODALITY,
    DEFAULT_GAP_HOURS,
    DEFAULT_MIN_GAP_HOURS,
    MEASURES,
    UNCOMFORTABLE_MODALITIES,
)
from ..models import (
    Exercise,
    ExercisePrescription,
    PainTolerance,
    PlanGoal,
    PlanPhase,
    PlanSession,
    PlanStatus,
    PlanTemplate,
    SessionComponent,
    TemplateExercise,
    TemplatePhase,
    TemplateSession,
    TreatmentPlan,
)
from ..selectors import involves_needling, needling_clearance, treatment_modalities

# --- inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preferences:
    avoid_modalities: tuple[str, ...] = ()
    pain_tolerance: str = PainTolerance.MODERATE
    preferred_weekdays: tuple[int, ...] = ()
    preferred_time_from: time | None = None
    preferred_time_to: time | None = None
    preferred_therapist: Therapist | None = None
    notes: str = ""


@dataclass(frozen=True)
class GoalSpec:
    description: str
    measure: str = ""
    label: str = ""
    target_value: Decimal | None = None
    target_date: date | None = None


@dataclass(frozen=True)
class ComponentSpec:
    treatment: Treatment
    sessions: int
    per_week: int = 1
    min_gap_hours: int | None = None  # None: the modality's default
    notes: str = ""


@dataclass(frozen=True)
class PrescriptionSpec:
    exercise: Exercise
    sets: int | None = None  # None: the exercise's default
    reps: int | None = None
    hold_seconds: int | None = None
    times_per_day: int = 1
    days_per_week: int = 7
    load: str | None = None
    progression: str = ""
    notes: str = ""


@dataclass(frozen=True)
class PhaseSpec:
    name: str
    weeks: int = 2
    start_week: int | None = None  # None: straight after the previous phase
    notes: str = ""
    components: tuple[ComponentSpec, ...] = ()
    prescriptions: tuple[PrescriptionSpec, ...] = ()


@dataclass(frozen=True)
class TemplateSessionSpec:
    modality: str
    sessions: int
    per_week: int = 1
    alternative_modality: str = ""
    min_gap_hours: int | None = None
    notes: str = ""


@dataclass(frozen=True)
class TemplatePhaseSpec:
    name: str
    weeks: int = 2
    start_week: int | None = None
    notes: str = ""
    sessions: tuple[TemplateSessionSpec, ...] = ()
    exercises: tuple[PrescriptionSpec, ...] = field(default_factory=tuple)


# --- checks -------------------------------------------------------------------------------------


def check_therapist(therapist: Therapist, clinic_id: int, role: str) -> None:
    if not therapist.is_active or not therapist.clinics.filter(pk=clinic_id).exists():
        raise errors.TherapistNotAtClinic(
            f"{therapist.full_name} cannot be the {role}: they do not work at this clinic."
        )


def check_treatment(plan: TreatmentPlan, treatment: Treatment) -> None:
    if treatment.clinic_id != plan.clinic_id or not treatment.is_active:
        raise errors.TreatmentNotAvailable(
            f"{treatment.name} is not offered at {plan.clinic.name}; choose one of its treatments."
        )


def check_exercise(exercise: Exercise, clinic_id: int) -> None:
    if not exercise.is_active or exercise.clinic_id not in (None, clinic_id):
        raise errors.ExerciseNotAvailable(
            f"{exercise.name} is not in this clinic's exercise library."
        )


def check_dose(*, sessions: int, per_week: int, weeks: int, what: str) -> None:
    if sessions > per_week * weeks:
        raise errors.TooManySessionsForPhase(
            f"{sessions} sessions of {what} do not fit in {weeks} week(s) at {per_week} a week."
        )


def modality_names(codes) -> str:
    return ", ".join(Modality(code).label.lower() for code in sorted(codes))


def check_preference(plan: TreatmentPlan, treatment: Treatment) -> None:
    avoided = set(plan.avoid_modalities) & treatment_modalities(treatment)
    if avoided:
        raise errors.AgainstPatientPreference(
            f"{plan.patient.full_name} asked to avoid {modality_names(avoided)}; choose another "
            "treatment or change the plan's preferences first."
        )


def check_needling_cleared(plan: TreatmentPlan, treatment: Treatment, now: datetime | None) -> None:
    """An active plan only gains needling when the patient is cleared for it (as on activation)."""
    if plan.status != PlanStatus.ACTIVE or not involves_needling(treatment):
        return
    clearance = needling_clearance(patient=plan.patient, on=plan.clinic.today(now))
    if not clearance.cleared:
        raise clearance.error(plan.patient, clinical_detail=True)


def default_gap_hours(modalities: set[str]) -> int:
    return max([DEFAULT_MIN_GAP_HOURS.get(code, DEFAULT_GAP_HOURS) for code in modalities])


def check_goal(goal: GoalSpec) -> None:
    if goal.target_value is None:
        return
    if not goal.measure:
        raise errors.PlanRuleBroken("A goal's target needs an outcome measure.")
    measure = MEASURES[goal.measure]
    if not measure.scale_min <= goal.target_value <= measure.scale_max:
        raise errors.ValueOutOfRange(
            f"A {measure.name} target must be between {measure.scale_min} and {measure.scale_max}."
        )


# --- writing pieces -----------------------------------------------------------------------------


def create_sessions(component: SessionComponent, first: int, last: int) -> None:
    PlanSession.objects.bulk_create(
        PlanSession(plan_id=component.phase.plan_id, component=component, sequence=n)
        for n in range(first, last + 1)
    )


def write_component(
    plan: TreatmentPlan,
    phase: PlanPhase,
    spec: ComponentSpec,
    *,
    substituted_for: str = "",
    now=None,
) -> SessionComponent:
    check_treatment(plan, spec.treatment)
    check_preference(plan, spec.treatment)
    check_dose(
        sessions=spec.sessions, per_week=spec.per_week, weeks=phase.weeks, what=spec.treatment.name
    )
    check_needling_cleared(plan, spec.treatment, now)
    gap = spec.min_gap_hours
    if gap is None:
        gap = default_gap_hours(treatment_modalities(spec.treatment))
    component = SessionComponent.objects.create(
        phase=phase,
        treatment=spec.treatment,
        sessions=spec.sessions,
        per_week=spec.per_week,
        min_gap_hours=gap,
        substituted_for=substituted_for,
        notes=spec.notes,
    )
    create_sessions(component, 1, spec.sessions)
    return component


def prescription_fields(spec: PrescriptionSpec) -> dict:
    exercise = spec.exercise
    reps, hold = spec.reps, spec.hold_seconds
    if reps is None and hold is None:
        reps, hold = exercise.default_reps, exercise.default_hold_seconds
    return {
        "exercise": exercise,
        "sets": spec.sets or exercise.default_sets,
        "reps": reps,
        "hold_seconds": hold,
        "times_per_day": spec.times_per_day,
        "days_per_week": spec.days_per_week,
        "load": exercise.default_load if spec.load is None else spec.load,
        "progression": spec.progression,
        "notes": spec.notes,
    }


def write_prescription(
    plan: TreatmentPlan, phase: PlanPhase, spec: PrescriptionSpec
) -> ExercisePrescription:
    check_exercise(spec.exercise, plan.clinic_id)
    return ExercisePrescription.objects.create(phase=phase, **prescription_fields(spec))


def _next_phase_slot(plan: TreatmentPlan, start_week: int | None) -> tuple[int, int]:
    """The order of a new phase and its start week (after the last phase unless given)."""
    last = plan.phases.order_by("-order").first()
    order = (last.order + 1) if last else 1
    if start_week is None:
        start_week = (last.end_week + 1) if last else 1
    return order, start_week


def write_phase(plan: TreatmentPlan, spec: PhaseSpec, now=None) -> PlanPhase:
    order, start_week = _next_phase_slot(plan, spec.start_week)
    phase = PlanPhase.objects.create(
        plan=plan,
        order=order,
        name=spec.name,
        start_week=start_week,
        weeks=spec.weeks,
        notes=spec.notes,
    )
    for component in spec.components:
        write_component(plan, phase, component, now=now)
    for prescription in spec.prescriptions:
        write_prescription(plan, phase, prescription)
    return phase


# --- templates ----------------------------------------------------------------------------------


def _avoided_by(plan: TreatmentPlan) -> set[str]:
    avoided = set(plan.avoid_modalities)
    if plan.pain_tolerance == PainTolerance.LOW:
        avoided |= UNCOMFORTABLE_MODALITIES
    return avoided


def _acceptable_modality(modality: str, alternative: str, avoided: set[str]) -> str | None:
    """The template's modality, or the first alternative the patient does not avoid."""
    candidate, seen = modality, set()
    while candidate in avoided:
        seen.add(candidate)
        candidate = (
            alternative
            if candidate == modality and alternative
            else ALTERNATIVE_MODALITY.get(candidate)
        )
        if candidate is None or candidate in seen:
            return None
    return candidate


def _treatment_for(clinic: Clinic, modality: str, avoided: set[str]) -> Treatment | None:
    """The clinic's usual treatment for a modality: one-to-one before classes, follow-ups before
    new-patient assessments, and never one that also delivers an avoided modality."""
    candidates = [
        treatment
        for treatment in Treatment.objects.filter(clinic=clinic, modality=modality, is_active=True)
        if not (treatment_modalities(treatment) & avoided)
    ]
    candidates.sort(key=lambda t: (t.capacity > 1, t.patient_type == PatientType.NEW, t.name, t.pk))
    return candidates[0] if candidates else None


def _copy_template(plan: TreatmentPlan, template: PlanTemplate) -> None:
    avoided = _avoided_by(plan)
    missing: set[str] = set()
    for template_phase in template.phases.order_by("order"):
        phase = PlanPhase.objects.create(
            plan=plan,
            order=template_phase.order,
            name=template_phase.name,
            start_week=template_phase.start_week,
            weeks=template_phase.weeks,
            notes=template_phase.notes,
        )
        for item in template_phase.sessions.order_by("id"):
            modality = _acceptable_modality(item.modality, item.alternative_modality, avoided)
            if modality is None:
                raise errors.AgainstPatientPreference(
                    f"{plan.patient.full_name} avoids {Modality(item.modality).label.lower()} and "
                    "every alternative to it; build this phase by hand."
                )
            treatment = _treatment_for(plan.clinic, modality, avoided)
            if treatment is None:
                missing.add(modality)
                continue
            gap = item.min_gap_hours if modality == item.modality else None
            write_component(
                plan,
                phase,
                ComponentSpec(treatment, item.sessions, item.per_week, gap, item.notes),
                substituted_for=item.modality if modality != item.modality else "",
            )
        for item in template_phase.exercises.select_related("exercise").order_by("id"):
            spec = PrescriptionSpec(
                exercise=item.exercise,
                sets=item.sets,
                reps=item.reps,
                hold_seconds=item.hold_seconds,
                times_per_day=item.times_per_day,
                days_per_week=item.days_per_week,
                load=item.load,
                progression=item.progression,
            )
            write_prescription(plan, phase, spec)
    if missing:
        raise errors.NoTreatmentForModality(
            f"{plan.clinic.name} offers no bookable {modality_names(missing)}, which the template "
            "needs; add the treatment or build the plan by hand.",
            details={"modalities": sorted(missing)},
        )


@transaction.atomic
def create_template(
    *,
    name: str,
    condition: str,
    phases: list[TemplatePhaseSpec],
    clinic: Clinic | None = None,
    description: str = "",
) -> PlanTemplate:
    """A plan template for a clinic (or, without a clinic, for every clinic).

    Raises TooManySessionsForPhase or ExerciseNotAvailable (400) and writes nothing on failure.
    """
    template = PlanTemplate.objects.create(
        clinic=clinic, name=name, condition=condition, description=description
    )
    next_week = 1
    for order, spec in enumerate(phases, start=1):
        start_week = spec.start_week or next_week
        phase = TemplatePhase.objects.create(
            template=template,
            order=order,
            name=spec.name,
            start_week=start_week,
            weeks=spec.weeks,
            notes=spec.notes,
        )
        next_week = start_week + spec.weeks
        for session in spec.sessions:
            check_dose(
                sessions=session.sessions,
                per_week=session.per_week,
                weeks=spec.weeks,
                what=Modality(session.modality).label,
            )
            TemplateSession.objects.create(
                phase=phase,
                modality=session.modality,
                alternative_modality=session.alternative_modality,
                sessions=session.sessions,
                per_week=session.per_week,
                min_gap_hours=session.min_gap_hours,
                notes=session.notes,
            )
        for exercise in spec.exercises:
            check_exercise(exercise.exercise, clinic.pk if clinic else None)
            fields = prescription_fields(exercise)
            fields.pop("notes")
            TemplateExercise.objects.create(phase=phase, **fields)
    return template


# --- plans --------------------------------------------------------------------------------------


@transaction.atomic
def create_plan(
    *,
    patient: Patient,
    clinic: Clinic,
    lead_therapist: Therapist,
    condition: str,
    created_by=None,
    template: PlanTemplate | None = None,
    title: str = "",
    condition_notes: str = "",
    start_date: date | None = None,
    preferences: Preferences | None = None,
    goals: list[GoalSpec] | tuple = (),
    phases: list[PhaseSpec] | tuple = (),
    now: datetime | None = None,
) -> TreatmentPlan:
    """A draft plan for `patient`, copied from `template` (tailored to the patient's
    preferences) or built from `phases`.

    From a template, every in-clinic modality the patient avoids (or, with low pain tolerance,
    needling and Graston) is replaced by its alternative and recorded as `substituted_for`; each
    modality becomes the clinic's usual treatment for it. Raises TemplateNotAvailable,
    NoTreatmentForModality, TherapistNotAtClinic, AgainstPatientPreference or another
    PlanRuleBroken (400) and writes nothing on failure.
    """
    preferences = preferences or Preferences()
    check_therapist(lead_therapist, clinic.pk, "lead therapist")
    if preferences.preferred_therapist is not None:
        check_therapist(preferences.preferred_therapist, clinic.pk, "preferred therapist")
    if template is not None:
        if not template.is_active or template.clinic_id not in (None, clinic.pk):
            raise errors.TemplateNotAvailable(
                f"The template {template.name!r} is not offered at {clinic.name}."
            )
        if phases:
            raise errors.PlanRuleBroken("Give either a template or phases, not both.")
    for goal in goals:
        check_goal(goal)
    plan = TreatmentPlan.objects.create(
        patient=patient,
        clinic=clinic,
        lead_therapist=lead_therapist,
        template=template,
        title=title or (template.name if template else ""),
        condition=condition,
        condition_notes=condition_notes,
        start_date=start_date or clinic.today(now),
        avoid_modalities=sorted(set(preferences.avoid_modalities)),
        pain_tolerance=preferences.pain_tolerance,
        preferred_weekdays=sorted(set(preferences.preferred_weekdays)),
        preferred_time_from=preferences.preferred_time_from,
        preferred_time_to=preferences.preferred_time_to,
        preferred_therapist=preferences.preferred_therapist,
        preference_notes=preferences.notes,
        created_by=acting_user(created_by),
    )
    bulk_create_with_history(
        PlanGoal, [PlanGoal(plan=plan, **vars(goal)) for goal in goals], user=plan.created_by
    )
    if template is not None:
        _copy_template(plan, template)
    for spec in phases:
        write_phase(plan, spec, now=now)
    return plan
