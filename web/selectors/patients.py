"""A patient's own bookings and treatment plans, and what they may still change online."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from booking import selectors as booking_rules
from booking.models import Booking, BookingStatus, Patient
from plans.models import ExercisePrescription, PlanStatus, TreatmentPlan
from plans.selectors import AdherenceWeek, plan_adherence, plans_visible_to


def patient_bookings(patient: Patient) -> QuerySet[Booking]:
    return Booking.objects.filter(patient=patient).select_related(
        "clinic", "treatment", "therapist", "room"
    )


def upcoming_and_past(
    patient: Patient, *, now: datetime | None = None
) -> tuple[list[Booking], list[Booking]]:
    """Sessions still to come (soonest first) and the rest (latest first, the last 30)."""
    now = now or timezone.now()
    bookings = patient_bookings(patient)
    upcoming_q = Q(status__in=[BookingStatus.CONFIRMED, BookingStatus.ARRIVED], end__gt=now)
    upcoming = list(bookings.filter(upcoming_q).order_by("start"))
    past = list(bookings.exclude(upcoming_q).order_by("-start")[:30])
    return upcoming, past


def is_late_cancellation(booking: Booking, *, now: datetime | None = None) -> bool:
    """Whether cancelling now would be recorded as late (the rule cancel_booking applies)."""
    return booking_rules.is_late_cancellation(
        booking, clinic=booking.clinic, now=now or timezone.now()
    )


def may_change_online(booking: Booking, *, now: datetime | None = None) -> bool:
    """Whether a patient may still move or cancel this booking themselves."""
    now = now or timezone.now()
    return booking.status == BookingStatus.CONFIRMED and booking.start > now


def may_move_online(booking: Booking, *, now: datetime | None = None) -> bool:
    """Moving online stops at the late-cancellation window (reschedule_booking's policy)."""
    now = now or timezone.now()
    return may_change_online(booking, now=now) and now <= booking_rules.late_window_opens(
        booking.start, booking.clinic
    )


@dataclass(frozen=True)
class HomeExercise:
    """A home exercise prescribed this plan week, with how often it was done so far this week."""

    prescription: ExercisePrescription
    done: int
    asked: int

    @property
    def finished(self) -> bool:
        return self.done >= self.asked


@dataclass(frozen=True)
class PlanWeek:
    plan: TreatmentPlan
    today: date
    weeks: list[AdherenceWeek]
    exercises: list[HomeExercise]

    @property
    def current(self) -> AdherenceWeek | None:
        return self.weeks[-1] if self.weeks and self.weeks[-1].in_progress else None


def patient_plans(user, patient: Patient) -> list[TreatmentPlan]:
    """The patient's own plans they may see (never drafts), active ones first."""
    plans = plans_visible_to(user).filter(patient=patient).exclude(status=PlanStatus.DRAFT)
    return sorted(
        plans, key=lambda plan: (plan.status != PlanStatus.ACTIVE, -plan.start_date.toordinal())
    )


def plan_week(plan: TreatmentPlan, *, today: date) -> PlanWeek:
    """This plan week's home exercises and the weekly adherence so far (plans' own counting)."""
    weeks = plan_adherence(plan, today=today)
    current = weeks[-1] if weeks and weeks[-1].in_progress else None
    rows = current.by_exercise if current else []
    prescriptions = ExercisePrescription.objects.filter(
        pk__in=[row["prescription"] for row in rows]
    ).select_related("exercise")
    by_id = {prescription.pk: prescription for prescription in prescriptions}
    exercises = [
        HomeExercise(by_id[row["prescription"]], row["completed"], row["prescribed"])
        for row in rows
        if row["prescription"] in by_id
    ]
    return PlanWeek(plan, today, weeks, exercises)
