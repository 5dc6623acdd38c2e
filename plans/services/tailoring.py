"""Tailoring a plan after it is built: its details and the patient's preferences, goals,
phases, in-clinic sessions and home exercise. Keeps the rules listed in building.py; each
service runs in one transaction with the plan row locked and writes nothing on failure.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from booking.models import BookingStatus, Treatment

from .. import errors
from ..models import (
    ExercisePrescription,
    PlanGoal,
    PlanPhase,
    PlanSession,
    PlanStatus,
    SessionComponent,
    SessionState,
    TreatmentPlan,
)
from ..selectors import treatment_modalities
from .building import alternative_treatment
from .common import locked_plan, require_open
from .parts import (
    check_dose,
    check_goal,
    check_needling_cleared,
    check_preference,
    check_preferred_times,
    check_therapist,
    check_treatment,
    create_sessions,
    default_gap_hours,
    modality_names,
    write_component,
    write_phase,
    write_prescription,
)
from .specs import ComponentSpec, GoalSpec, PhaseSpec, PrescriptionSpec

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
            if substitute_avoided and not _sessions_in_use(component.planned_sessions.all()):
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


# --- phases -------------------------------------------------------------------------------------


@transaction.atomic
def add_phase(*, plan: TreatmentPlan, phase: PhaseSpec, now: datetime | None = None) -> PlanPhase:
    """Append a phase (with its sessions and exercises) to an open plan.

    Raises like create_plan; needling in an active plan needs the patient's clearance.
    """
    plan = locked_plan(plan)
    require_open(plan)
    return write_phase(plan, phase, now=now)


@transaction.atomic
def change_phase(
    *,
    phase: PlanPhase,
    name: str | None = None,
    start_week: int | None = None,
    weeks: int | None = None,
    notes: str | None = None,
) -> PlanPhase:
    """Rename, move or resize a phase. Its components must still fit (TooManySessionsForPhase)."""
    plan = locked_plan(phase.plan)
    require_open(plan)
    phase = PlanPhase.objects.get(pk=phase.pk)
    if weeks is not None:
        for component in phase.components.select_related("treatment"):
            check_dose(
                sessions=component.sessions,
                per_week=component.per_week,
                weeks=weeks,
                what=component.treatment.name,
            )
        phase.weeks = weeks
    for attribute, value in (("name", name), ("start_week", start_week), ("notes", notes)):
        if value is not None:
            setattr(phase, attribute, value)
    phase.save()
    return phase


def _sessions_in_use(sessions) -> list[int]:
    """Ids of bookings that hold sessions (anything but cancelled): these must not be dropped."""
    return [
        s.booking_id
        for s in sessions.select_related("booking")
        if s.booking is not None and s.booking.status != BookingStatus.CANCELLED
    ]


@transaction.atomic
def move_phase(*, phase: PlanPhase, earlier: bool) -> PlanPhase:
    """Swap a phase with the one before it (`earlier`) or after it.

    The pair keeps the weeks it spans: the phase now first starts where the first of the two
    started, and the other follows it (with the same gap or overlap as before). Phases with
    sessions booked or done keep their place (SessionsAlreadyBooked, 409); the first phase
    cannot move earlier, nor the last later (PlanRuleBroken, 400).
    """
    plan = locked_plan(phase.plan)
    require_open(plan)
    phases = list(PlanPhase.objects.filter(plan=plan).order_by("order"))
    index = next(i for i, p in enumerate(phases) if p.pk == phase.pk)
    other = index - 1 if earlier else index + 1
    if not 0 <= other < len(phases):
        raise errors.PlanRuleBroken(
            f"{phase.name} is already the {'first' if earlier else 'last'} phase."
        )
    first, second = sorted((phases[index], phases[other]), key=lambda p: p.order)
    in_use = _sessions_in_use(PlanSession.objects.filter(component__phase__in=[first, second]))
    if in_use:
        raise errors.SessionsAlreadyBooked(
            "Phases with sessions booked or done keep their place; cancel those bookings first.",
            details={"bookings": in_use},
        )
    gap = second.start_week - first.end_week - 1
    first_order, second_order, start = first.order, second.order, first.start_week
    # (plan, order) is unique: park one phase on 0 while the two swap.
    second.order = 0
    second.save(update_fields=["order"])
    second.order, second.start_week = first_order, start
    first.order, first.start_week = second_order, max(1, start + second.weeks + gap)
    first.save(update_fields=["order", "start_week"])
    second.save(update_fields=["order", "start_week"])
    return PlanPhase.objects.get(pk=phase.pk)


@transaction.atomic
def remove_phase(*, phase: PlanPhase) -> None:
    """Remove a phase with everything in it, unless it has bookings or logged exercise (409)."""
    plan = locked_plan(phase.plan)
    require_open(plan)
    in_use = _sessions_in_use(PlanSession.objects.filter(component__phase=phase))
    if in_use:
        raise errors.SessionsAlreadyBooked(
            "Sessions of this phase are booked or have taken place; cancel upcoming ones first.",
            details={"bookings": in_use},
        )
    if phase.prescriptions.filter(logs__isnull=False).exists():
        raise errors.PrescriptionHasLogs(
            "The patient has logged exercise from this phase; stop its exercises instead."
        )
    phase.delete()


# --- in-clinic sessions -------------------------------------------------------------------------


@transaction.atomic
def add_component(
    *, phase: PlanPhase, component: ComponentSpec, now: datetime | None = None
) -> SessionComponent:
    """Add in-clinic sessions of one treatment to a phase; their plan sessions start "to book".

    Raises TreatmentNotAvailable, AgainstPatientPreference, TooManySessionsForPhase or, for
    needling in an active plan, a NeedlingNotCleared error (400). Writes nothing on failure.
    """
    plan = locked_plan(phase.plan)
    require_open(plan)
    return write_component(plan, phase, component, now=now)


@transaction.atomic
def change_component(
    *,
    component: SessionComponent,
    treatment: Treatment | None = None,
    sessions: int | None = None,
    per_week: int | None = None,
    min_gap_hours: int | None = None,
    notes: str | None = None,
    now: datetime | None = None,
) -> SessionComponent:
    """Change a component's treatment or dose.

    The treatment changes only while none of its sessions is booked or done; fewer sessions
    drop the last unbooked ones and refuse (SessionsAlreadyBooked, 409) when too few are
    unbooked. Writes nothing on failure.
    """
    plan = locked_plan(component.phase.plan)
    require_open(plan)
    component = SessionComponent.objects.select_related("phase", "treatment").get(pk=component.pk)
    planned = component.planned_sessions.all()
    if treatment is not None and treatment.pk != component.treatment_id:
        in_use = _sessions_in_use(planned)
        if in_use:
            raise errors.SessionsAlreadyBooked(
                "Some of these sessions are booked or have taken place; add a new component "
                "for the other treatment instead.",
                details={"bookings": in_use},
            )
        check_treatment(plan, treatment)
        check_preference(plan, treatment)
        check_needling_cleared(plan, treatment, now)
        component.treatment = treatment
        component.substituted_for = ""
    new_sessions = component.sessions if sessions is None else sessions
    new_per_week = component.per_week if per_week is None else per_week
    check_dose(
        sessions=new_sessions,
        per_week=new_per_week,
        weeks=component.phase.weeks,
        what=component.treatment.name,
    )
    if new_sessions > component.sessions:
        create_sessions(component, component.sessions + 1, new_sessions)
    elif new_sessions < component.sessions:
        _drop_sessions(component, component.sessions - new_sessions)
    component.sessions, component.per_week = new_sessions, new_per_week
    if min_gap_hours is not None:
        component.min_gap_hours = min_gap_hours
    if notes is not None:
        component.notes = notes
    component.save()
    return component


def _drop_sessions(component: SessionComponent, count: int) -> None:
    """Drop `count` unbooked sessions (the last ones) and renumber the rest 1..n."""
    sessions = list(component.planned_sessions.select_related("booking").order_by("-sequence"))
    free = [s for s in sessions if s.booking is None or s.booking.status == BookingStatus.CANCELLED]
    if len(free) < count:
        raise errors.SessionsAlreadyBooked(
            f"Only {len(free)} of these sessions are unbooked; cancel bookings before reducing "
            "further."
        )
    PlanSession.objects.filter(pk__in=[s.pk for s in free[:count]]).delete()
    keep = PlanSession.objects.filter(component=component).order_by("sequence")
    for number, session in enumerate(keep, start=1):
        if session.sequence != number:
            # Renumber in place; sequences only ever shrink here, so no two rows collide.
            PlanSession.objects.filter(pk=session.pk).update(sequence=number)


@transaction.atomic
def remove_component(*, component: SessionComponent) -> None:
    """Remove a component and its sessions, unless any is booked or done (409)."""
    plan = locked_plan(component.phase.plan)
    require_open(plan)
    in_use = _sessions_in_use(component.planned_sessions.all())
    if in_use:
        raise errors.SessionsAlreadyBooked(
            "Some of these sessions are booked or have taken place; cancel the upcoming ones or "
            "reduce the number of sessions instead.",
            details={"bookings": in_use},
        )
    component.delete()


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
