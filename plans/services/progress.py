"""What the patient did at home and how they are doing: exercise logs and outcome measures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from booking.models import Booking
from core.users import acting_user

from .. import errors
from ..clinical import MEASURES, score_items
from ..models import ExerciseLog, ExercisePrescription, OutcomeRecord, PlanStatus, TreatmentPlan
from .common import require_open


def log_exercise(
    *,
    plan: TreatmentPlan,
    prescription: ExercisePrescription,
    performed_on: date,
    sets_done: int,
    logged_by=None,
    reps_done: int | None = None,
    load_used: str = "",
    pain: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> ExerciseLog:
    """Record one bout of a prescribed exercise.

    Only for an active plan (PlanNotActive, 409), for a prescription of that plan, on a day from
    the plan's start to today and not after the exercise was stopped (DateOutsidePlan, 400).
    Not idempotent: each call is one more bout (doing it twice a day is two logs).
    """
    if plan.status != PlanStatus.ACTIVE:
        raise errors.PlanNotActive("Exercise can be logged only while the plan is active.")
    if prescription.phase.plan_id != plan.pk:
        raise errors.PlanRuleBroken("That exercise is not prescribed in this plan.")
    today = plan.clinic.today(now)
    if performed_on > today:
        raise errors.DateOutsidePlan("Exercise cannot be logged for a day still to come.")
    if performed_on < plan.start_date:
        raise errors.DateOutsidePlan(f"The plan started on {plan.start_date:%-d %B %Y}.")
    if prescription.stopped_on is not None and performed_on > prescription.stopped_on:
        raise errors.DateOutsidePlan(
            f"{prescription.exercise.name} was stopped on {prescription.stopped_on:%-d %B %Y}."
        )
    return ExerciseLog.objects.create(
        plan=plan,
        prescription=prescription,
        performed_on=performed_on,
        sets_done=sets_done,
        reps_done=reps_done,
        load_used=load_used,
        pain=pain,
        note=note,
        logged_by=acting_user(logged_by),
    )


def record_outcome(
    *,
    plan: TreatmentPlan,
    measure: str,
    recorded_by=None,
    value: Decimal | None = None,
    items: list | None = None,
    label: str = "",
    recorded_on: date | None = None,
    booking: Booking | None = None,
    by_patient: bool = False,
    notes: str = "",
    now: datetime | None = None,
) -> OutcomeRecord:
    """Record a score on an outcome measure for an open plan (the first one is the baseline).

    Give the score (`value`) or the questionnaire's item responses (`items`, scored here: ODI,
    NDI, PSFS, NPRS). A patient records questionnaires only, not range of motion
    (MeasureNotForPatients); range of motion names its movement (`label`). The score must be on
    the measure's scale (ValueOutOfRange), the day not in the future (DateOutsidePlan) and a
    session the plan patient's own (BookingNotForPlan). All 400; PlanClosed (409) for closed
    plans. Not idempotent: each call is one more score.
    """
    require_open(plan)
    definition = MEASURES[measure]
    if by_patient and not definition.patient_reported:
        raise errors.MeasureNotForPatients(f"{definition.name} is measured by the therapist.")
    if measure == "rom" and not label.strip():
        raise errors.PlanRuleBroken(
            "Say which movement was measured, e.g. 'Cervical rotation right'."
        )
    if items is not None:
        try:
            value = score_items(measure, items)
        except ValueError as exc:
            raise errors.ValueOutOfRange(str(exc)) from exc
    if value is None:
        raise errors.PlanRuleBroken("Give the score or the questionnaire's item responses.")
    if not definition.scale_min <= value <= definition.scale_max:
        raise errors.ValueOutOfRange(
            f"{definition.name} scores run from {definition.scale_min} to {definition.scale_max}."
        )
    if booking is not None:
        if booking.patient_id != plan.patient_id or booking.clinic_id != plan.clinic_id:
            raise errors.BookingNotForPlan(
                "That session is not one of this patient's at the plan's clinic."
            )
        if recorded_on is None:
            recorded_on = booking.start.astimezone(plan.clinic.tz).date()
    today = plan.clinic.today(now)
    recorded_on = recorded_on or today
    if recorded_on > today:
        raise errors.DateOutsidePlan("Scores cannot be recorded for a day still to come.")
    return OutcomeRecord.objects.create(
        plan=plan,
        measure=measure,
        label=label.strip(),
        value=value,
        items=items,
        recorded_on=recorded_on,
        booking=booking,
        recorded_by=acting_user(recorded_by),
        reported_by_patient=by_patient,
        notes=notes,
    )
