"""Tailoring a plan's phases and their in-clinic sessions: add, change, move and remove. Keeps
the rules listed in building.py; each service runs in one transaction with the plan row locked
and writes nothing on failure.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from booking.models import BookingStatus, Treatment

from .. import errors
from ..models import PlanPhase, PlanSession, SessionComponent, TreatmentPlan
from .common import locked_plan, require_open
from .parts import (
    check_dose,
    check_needling_cleared,
    check_preference,
    check_treatment,
    create_sessions,
    sessions_in_use,
    write_component,
    write_phase,
)
from .specs import ComponentSpec, PhaseSpec

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
    in_use = sessions_in_use(PlanSession.objects.filter(component__phase__in=[first, second]))
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
    in_use = sessions_in_use(PlanSession.objects.filter(component__phase=phase))
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
        in_use = sessions_in_use(planned)
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
    in_use = sessions_in_use(component.planned_sessions.all())
    if in_use:
        raise errors.SessionsAlreadyBooked(
            "Some of these sessions are booked or have taken place; cancel the upcoming ones or "
            "reduce the number of sessions instead.",
            details={"bookings": in_use},
        )
    component.delete()
