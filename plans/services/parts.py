"""The pieces every plan change is made of: the checks a plan keeps and the writes of its
components, sessions, prescriptions and phases. Shared by building.py and tailoring.py.

The rules (see building.py for the whole list): a plan's treatments are active treatments of its
clinic, exercises come from the shared library or the clinic's own, a phase holds at most
`per_week x weeks` sessions of a component, nothing the patient asked to avoid is added, and
needling added to an active plan needs the patient's needling clearance.
"""

from __future__ import annotations

from datetime import datetime

from booking.models import BookingStatus, Modality, Therapist, Treatment

from .. import errors
from ..clinical import (
    DEFAULT_GAP_HOURS,
    DEFAULT_MIN_GAP_HOURS,
    MEASURES,
)
from ..models import (
    Exercise,
    ExercisePrescription,
    PlanPhase,
    PlanSession,
    PlanStatus,
    SessionComponent,
    TreatmentPlan,
)
from ..selectors import involves_needling, needling_clearance, treatment_modalities
from .specs import ComponentSpec, GoalSpec, PhaseSpec, PrescriptionSpec

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


def check_preferred_times(time_from, time_to) -> None:
    if time_from and time_to and time_to <= time_from:
        raise errors.PlanRuleBroken("The preferred times must end after they start.")


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


def sessions_in_use(sessions) -> list[int]:
    """Ids of bookings that hold sessions (anything but cancelled): these must not be dropped."""
    return [
        s.booking_id
        for s in sessions.select_related("booking")
        if s.booking is not None and s.booking.status != BookingStatus.CANCELLED
    ]


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
