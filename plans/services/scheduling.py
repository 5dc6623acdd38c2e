"""Scheduling a plan: propose a time for every in-clinic session still to book, then book them
all in one transaction or none.

The planner (planner.py) chooses the times. Confirming books every proposal with the diary's
`book_session` (so every booking rule, the needling check and the race-safe lock apply) inside
one transaction: one failure leaves nothing booked and answers 409 with the session and
alternatives.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from booking.errors import SlotConflict
from booking.models import Channel, Modality, Therapist
from booking.services import book_session

from .. import errors
from ..models import SCHEDULABLE_STATES, PlanSession, PlanStatus, TreatmentPlan
from ..selectors import needling_clearance
from .common import locked_plan, require_open
from .planner import Planner, ProposedSession, RequestedSession, Schedule


def _pending_sessions(plan: TreatmentPlan) -> list[PlanSession]:
    sessions = (
        PlanSession.objects.filter(plan=plan)
        .select_related("booking", "component__phase", "component__treatment__clinic")
        .order_by("component__phase__order", "component_id", "sequence")
    )
    return [session for session in sessions if session.state in SCHEDULABLE_STATES]


def propose_schedule(
    *, plan: TreatmentPlan, apply_policy: bool, now: datetime | None = None
) -> Schedule:
    """Proposed times for every plan session still to book (never booked, or cancelled).

    Reads only; safe to call any number of times. For a draft or active plan (PlanClosed, 409,
    otherwise). Sessions without a time carry `problem_code` ("no_free_time", "spacing",
    "needling_not_cleared") and alternatives from the fortnight after their week.
    `apply_policy` is True when the patient schedules their own plan (online booking rules).
    """
    now = now or timezone.now()
    require_open(plan)
    pending = _pending_sessions(plan)
    planner = Planner(plan, apply_policy=apply_policy, now=now)
    cleared = needling_clearance(patient=plan.patient, on=plan.clinic.today(now)).cleared
    return planner.propose(pending, needling_cleared=cleared)


def confirm_schedule(
    *,
    plan: TreatmentPlan,
    booked_by=None,
    apply_policy: bool,
    requested: list[RequestedSession] | None = None,
    now: datetime | None = None,
) -> Schedule:
    """Book the plan's sessions: the requested times, or else every proposed one.

    All or none, in one transaction with the plan locked (two confirmations of one plan cannot
    both book it). Each booking goes through `book_session`, so every diary rule holds and the
    needling check runs for each needling session. Raises:
    - PlanNotActive (409) unless the plan is active;
    - a NeedlingNotCleared subclass (400) when needling sessions are due and the patient is not
      cleared;
    - SessionsAlreadyBooked (409) when a requested session is already booked or not the plan's;
    - ScheduleIncomplete (409) when some session has no time, ScheduleConflict (409) when a
      requested time cannot be had or the diary changed while booking - each with the sessions
      concerned and alternatives in `details`;
    - a booking rule error (400) such as treatment_not_bookable for a patient.
    Nothing is booked on any failure. Confirming a fully booked plan books nothing and succeeds.
    """
    now = now or timezone.now()
    failed: ProposedSession | None = None
    try:
        with transaction.atomic():
            plan = locked_plan(plan)
            if plan.status != PlanStatus.ACTIVE:
                raise errors.PlanNotActive("Activate the plan before booking its sessions.")
            pending = _pending_sessions(plan)
            planner = Planner(plan, apply_policy=apply_policy, now=now)
            if requested is not None:
                pending_by_id = {session.pk: session for session in pending}
                unknown = sorted({r.session_id for r in requested} - set(pending_by_id))
                if unknown:
                    raise errors.SessionsAlreadyBooked(
                        "Some of those sessions are already booked, done, or not in this plan.",
                        details={"sessions": unknown},
                    )
                pending = [pending_by_id[r.session_id] for r in requested]
            needling = [
                s
                for s in pending
                if Modality.DRY_NEEDLING in planner.modalities(s.component.treatment)
            ]
            if needling:
                clearance = needling_clearance(patient=plan.patient, on=plan.clinic.today(now))
                if not clearance.cleared:
                    raise clearance.error(plan.patient, clinical_detail=False)
            if requested is None:
                schedule = planner.propose(pending, needling_cleared=True)
                if schedule.unscheduled:
                    raise errors.ScheduleIncomplete(
                        f"{len(schedule.unscheduled)} session(s) have no free time; nothing was "
                        "booked. "
                        "Book the others by giving their times, or free up the diary.",
                        sessions=schedule.unscheduled,
                    )
            else:
                schedule, conflicts = planner.check_requested(requested, {s.pk: s for s in pending})
                if conflicts:
                    raise errors.ScheduleConflict(
                        f"{len(conflicts)} requested time(s) cannot be booked; nothing was booked.",
                        sessions=conflicts,
                    )
            therapists = Therapist.objects.in_bulk({p.therapist_id for p in schedule.sessions})
            for proposed in schedule.sessions:
                failed = proposed
                booking = book_session(
                    treatment=proposed.treatment,
                    start=proposed.start,
                    patient=plan.patient,
                    booked_by=booked_by,
                    channel=Channel.PLAN,
                    therapist=therapists[proposed.therapist_id],
                    apply_policy=apply_policy,
                    now=now,
                )
                PlanSession.objects.filter(pk=proposed.session.pk).update(booking=booking)
                proposed.booking = booking
                proposed.session.booking = booking
            failed = None
    except SlotConflict as exc:
        if failed is None:
            raise
        # The diary changed between our check and the booking (another booking won the race):
        # the transaction was rolled back, so nothing is booked. Offer times from the diary as
        # it is now.
        planner = Planner(plan, apply_policy=apply_policy, now=now)
        failed.problem_code, failed.problem = exc.code, exc.message
        failed.alternatives = planner.alternatives_near(failed.session, failed.start)
        failed.booking = None
        raise errors.ScheduleConflict(
            "A session's time was just taken; nothing was booked.",
            sessions=[failed],
        ) from exc
    schedule.confirmed = True
    return schedule
