"""A plan's status: draft -> active -> completed, or discontinued from draft or active."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from booking.models import BookingStatus, CancellationReason
from booking.services import cancel_booking
from core.users import acting_user

from .. import errors
from ..activation import check_plan_may_start
from ..models import PLAN_TRANSITIONS, PlanSession, PlanStatus, SessionComponent, TreatmentPlan
from ..selectors import involves_needling, needling_clearance, treatment_modalities
from .common import locked_plan
from .specs import DischargeSummary


def _move(plan: TreatmentPlan, to: str) -> None:
    if to not in PLAN_TRANSITIONS[plan.status]:
        raise errors.IllegalPlanTransition(
            f"A {plan.get_status_display().lower()} plan cannot become "
            f"{PlanStatus(to).label.lower()}."
        )
    plan.status = to


@transaction.atomic
def activate_plan(
    *, plan: TreatmentPlan, activated_by=None, now: datetime | None = None
) -> TreatmentPlan:
    """Start a draft plan, after checking that it is safe and can be delivered.

    Checks: it has in-clinic sessions or home exercise (PlanEmpty); every treatment is still
    offered at the clinic (TreatmentNotAvailable) and none is one the patient avoids
    (AgainstPatientPreference); with needling in it, the patient is cleared today - a current
    screening with no absolute contraindication, precautions acknowledged, consent since that
    screening (a NeedlingNotCleared subclass, with the clinical detail for the therapist). All
    400, except IllegalPlanTransition (409) when the plan is not a draft. Then the checks other
    apps register in plans.activation (session notes: a positive red flag on the patient's
    assessment not yet cleared by a clinician, 409 red_flag_not_cleared). Writes nothing on
    failure; safe to retry.
    """
    now = now or timezone.now()
    plan = locked_plan(plan)
    _move(plan, PlanStatus.ACTIVE)
    components = list(SessionComponent.objects.filter(phase__plan=plan).select_related("treatment"))
    has_exercise = plan.phases.filter(prescriptions__isnull=False).exists()
    if not components and not has_exercise:
        raise errors.PlanEmpty()
    needling = False
    for component in components:
        treatment = component.treatment
        if treatment.clinic_id != plan.clinic_id or not treatment.is_active:
            raise errors.TreatmentNotAvailable(
                f"{treatment.name} is no longer offered at {plan.clinic.name}; change that "
                "component."
            )
        avoided = set(plan.avoid_modalities) & treatment_modalities(treatment)
        if avoided:
            raise errors.AgainstPatientPreference(
                f"The patient asked to avoid {treatment.name}; replace that component first."
            )
        needling = needling or involves_needling(treatment)
    if needling:
        clearance = needling_clearance(patient=plan.patient, on=plan.clinic.today(now))
        if not clearance.cleared:
            raise clearance.error(plan.patient, clinical_detail=True)
    check_plan_may_start(plan=plan)
    plan.activated_at = now
    plan.save(update_fields=["status", "activated_at", "updated_at"])
    return plan


def _upcoming_bookings(plan: TreatmentPlan, now: datetime):
    return [
        session.booking
        for session in PlanSession.objects.filter(
            plan=plan, booking__status=BookingStatus.CONFIRMED, booking__start__gt=now
        ).select_related("booking")
    ]


@transaction.atomic
def complete_plan(
    *,
    plan: TreatmentPlan,
    completed_by=None,
    summary: DischargeSummary | None = None,
    now: datetime | None = None,
) -> TreatmentPlan:
    """Close an active plan as completed (the patient is discharged), with the discharge
    `summary` the patient then reads on their plan page (PlanRuleBroken, 400, when it is given
    without saying how the patient did).

    Refused with PlanHasUpcomingSessions (409, listing the bookings) while plan sessions are
    still booked ahead: cancel them, or discontinue the plan, which cancels them. Sessions never
    booked simply stay unbooked. IllegalPlanTransition (409) unless the plan is active.
    """
    now = now or timezone.now()
    plan = locked_plan(plan)
    _move(plan, PlanStatus.COMPLETED)
    upcoming = _upcoming_bookings(plan, now)
    if upcoming:
        raise errors.PlanHasUpcomingSessions(
            f"{len(upcoming)} plan session(s) are still booked ahead; cancel them or "
            "discontinue the plan.",
            details={"bookings": [booking.pk for booking in upcoming]},
        )
    fields = ["status", "closed_at", "updated_at"]
    if summary is not None:
        if not summary.outcome.strip():
            raise errors.PlanRuleBroken(
                "Say how the patient did against their goals: it leads the discharge summary."
            )
        plan.discharge_outcome = summary.outcome.strip()
        plan.discharge_advice = summary.advice.strip()
        plan.discharge_follow_up = summary.follow_up.strip()
        fields += ["discharge_outcome", "discharge_advice", "discharge_follow_up"]
    plan.closed_at = now
    plan.save(update_fields=fields)
    return plan


@transaction.atomic
def discontinue_plan(
    *, plan: TreatmentPlan, discontinued_by=None, reason: str = "", now: datetime | None = None
) -> TreatmentPlan:
    """Stop a draft or active plan early and cancel its upcoming bookings, all in one go.

    The bookings are cancelled through the diary's own cancel_booking, so they behave like any
    other cancellation, with an administrative note only: the clinical reason stays on the
    plan. IllegalPlanTransition (409) for a plan already closed. Nothing changes on failure.
    """
    now = now or timezone.now()
    plan = locked_plan(plan)
    _move(plan, PlanStatus.DISCONTINUED)
    for booking in _upcoming_bookings(plan, now):
        cancel_booking(
            booking=booking,
            cancelled_by=acting_user(discontinued_by),
            reason=CancellationReason.OTHER,
            note="Treatment plan discontinued.",
            apply_policy=False,
            now=now,
        )
    plan.closed_at = now
    plan.discontinued_reason = reason
    plan.save(update_fields=["status", "closed_at", "discontinued_reason", "updated_at"])
    return plan
