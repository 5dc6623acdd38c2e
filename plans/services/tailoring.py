"""Tailoring a plan after it is built: its details, care team and the patient's preferences,
goals and home exercise (phases and in-clinic sessions: phases.py). Keeps the rules listed in
building.py; each service runs in one transaction with the plan row locked and writes nothing
on failure.
"""

from __future__ import annotations

from django.db import transaction

from .. import errors
from ..models import (
    ExercisePrescription,
    PlanGoal,
    PlanPhase,
    PlanStatus,
    SessionComponent,
    SessionState,
    TreatmentPlan,
)
from ..selectors import treatment_modalities
from .building import alternative_treatment
from .common import locked_plan, require_open
from .parts import (
    check_goal,
    check_preferred_times,
    check_therapist,
    default_gap_hours,
    modality_names,
    sessions_in_use,
    write_prescription,
)
from .specs import GoalSpec, PrescriptionSpec

PREFERENCE_FIELDS = {
    "avoid_modalities",
    "pain_tolerance",
    "preferred_weekdays",
    "preferred_time_from",
    "preferred_time_to",
    "preferred_therapist",
    "preference_notes",
}
PLAN_FIELDS = {
    "title",
    "condition",
    "condition_notes",
    "start_date",
    "lead_therapist",
    "care_team",
} | PREFERENCE_FIELDS


def _components_with_open_sessions(plan: TreatmentPlan):
    """Components whose sessions are still to happen (to book, booked or to rebook)."""
    for component in SessionComponent.objects.filter(phase__plan=plan).select_related("treatment"):
        states = {s.state for s in component.planned_sessions.select_related("booking")}
        if states - {SessionState.ATTENDED, SessionState.MISSED}:
            yield component


@transaction.atomic
def update_plan(
    *, plan: TreatmentPlan, changed_by=None, substitute_avoided: bool = False, **changes
) -> TreatmentPlan:
    """Change a plan's details, its care team (other therapists of the clinic) or the
    patient's preferences.

    The start date moves only while the plan is a draft (PlanAlreadyActive, 409). A newly
    avoided modality is refused while sessions of it are still to happen
    (AgainstPatientPreference, 400), unless `substitute_avoided`: then each component of it
    whose sessions are all unbooked becomes the clinic's treatment for the alternative
    modality (as building from a template does; `substituted_for` records what it replaced),
    and only components with sessions booked or done are refused. Plans that are completed or
    discontinued do not change (PlanClosed, 409). Writes nothing on failure.
    """
    unknown = set(changes) - PLAN_FIELDS
    if unknown:
        raise TypeError(f"update_plan() cannot change {sorted(unknown)}")
    plan = locked_plan(plan)
    require_open(plan)
    if (
        "start_date" in changes
        and changes["start_date"] != plan.start_date
        and plan.status != PlanStatus.DRAFT
    ):
        raise errors.PlanAlreadyActive("The start date can only change while the plan is a draft.")
    if changes.get("lead_therapist") is not None:
        check_therapist(changes["lead_therapist"], plan.clinic_id, "lead therapist")
    if changes.get("preferred_therapist") is not None:
        check_therapist(changes["preferred_therapist"], plan.clinic_id, "preferred therapist")
    care_team = changes.pop("care_team", None)
    for member in care_team or ():
        check_therapist(member, plan.clinic_id, "care team member")
    if "avoid_modalities" in changes:
        changes["avoid_modalities"] = sorted(set(changes["avoid_modalities"]))
        newly_avoided = set(changes["avoid_modalities"]) - set(plan.avoid_modalities)
        for component in _components_with_open_sessions(plan):
            clash = newly_avoided & treatment_modalities(component.treatment)
            if not clash:
                continue
            if substitute_avoided and not sessions_in_use(component.planned_sessions.all()):
                _substitute(plan, component, set(changes["avoid_modalities"]))
                continue
            raise errors.AgainstPatientPreference(
                f"The plan still has {component.treatment.name} sessions to come; remove or "
                "replace them before recording that the patient avoids "
                f"{modality_names(clash)}."
            )
    if "preferred_weekdays" in changes:
        changes["preferred_weekdays"] = sorted(set(changes["preferred_weekdays"]))
    time_from = changes.get("preferred_time_from", plan.preferred_time_from)
    time_to = changes.get("preferred_time_to", plan.preferred_time_to)
    check_preferred_times(time_from, time_to)
    for name, value in changes.items():
        setattr(plan, name, value)
    plan.save()
    if care_team is not None:
        plan.care_team.set([m for m in care_team if m.pk != plan.lead_therapist_id])
    return plan


def _substitute(plan: TreatmentPlan, component: SessionComponent, avoided: set[str]) -> None:
    """Swap an unbooked component's treatment for the alternative the patient accepts."""
    replacement = alternative_treatment(plan, component.treatment, avoided)
    if replacement is None:
        raise errors.AgainstPatientPreference(
            f"{plan.clinic.name} offers no alternative to {component.treatment.name} that the "
            f"patient accepts; remove those sessions instead."
        )
    component.substituted_for = component.substituted_for or component.treatment.modality
    component.treatment = replacement
    component.min_gap_hours = default_gap_hours(treatment_modalities(replacement))
    component.save(update_fields=["treatment", "substituted_for", "min_gap_hours"])


# --- goals --------------------------------------------------------------------------------------


@transaction.atomic
def add_goal(*, plan: TreatmentPlan, goal: GoalSpec) -> PlanGoal:
    """Add a goal (optionally a target on an outcome measure) to an open plan."""
    plan = locked_plan(plan)
    require_open(plan)
    check_goal(goal)
    return PlanGoal.objects.create(plan=plan, **vars(goal))


@transaction.atomic
def remove_goal(*, goal: PlanGoal) -> None:
    """Remove a goal from an open plan."""
    plan = locked_plan(goal.plan)
    require_open(plan)
    goal.delete()


# --- home exercise ------------------------------------------------------------------------------


@transaction.atomic
def add_prescription(*, phase: PlanPhase, prescription: PrescriptionSpec) -> ExercisePrescription:
    """Prescribe a library exercise in a phase; unset dose fields take the exercise's defaults."""
    plan = locked_plan(phase.plan)
    require_open(plan)
    return write_prescription(plan, phase, prescription)


PRESCRIPTION_FIELDS = {
    "sets",
    "reps",
    "hold_seconds",
    "times_per_day",
    "days_per_week",
    "load",
    "progression",
    "notes",
    "stopped_on",
}


@transaction.atomic
def change_prescription(*, prescription: ExercisePrescription, **changes) -> ExercisePrescription:
    """Change the dose, progression or notes of a prescription, or stop it (`stopped_on`).

    A prescription keeps either reps or a hold time (PlanRuleBroken, 400).
    """
    unknown = set(changes) - PRESCRIPTION_FIELDS
    if unknown:
        raise TypeError(f"change_prescription() cannot change {sorted(unknown)}")
    plan = locked_plan(prescription.phase.plan)
    require_open(plan)
    prescription = ExercisePrescription.objects.get(pk=prescription.pk)
    for name, value in changes.items():
        setattr(prescription, name, value)
    if prescription.reps is None and prescription.hold_seconds is None:
        raise errors.PlanRuleBroken("Prescribe repetitions or a hold time.")
    if prescription.stopped_on is not None and prescription.stopped_on < plan.start_date:
        raise errors.DateOutsidePlan("An exercise cannot stop before the plan starts.")
    prescription.save()
    return prescription


@transaction.atomic
def remove_prescription(*, prescription: ExercisePrescription) -> None:
    """Remove a prescription that has no logged exercise (else 409: stop it instead)."""
    plan = locked_plan(prescription.phase.plan)
    require_open(plan)
    if prescription.logs.exists():
        raise errors.PrescriptionHasLogs(
            "The patient has logged this exercise; stop it (stopped_on) instead of removing it."
        )
    prescription.delete()
