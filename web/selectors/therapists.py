"""What a therapist sees next to each session: the patient's history and plan context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count

from booking.models import ACTIVE_STATUSES, Booking, BookingStatus, Therapist
from plans.access import ClinicalRecord, readable_clinical_records
from plans.models import PlanSession, PlanStatus, TreatmentPlan
from plans.selectors import (
    ACKNOWLEDGEMENT_REQUIRED,
    CLEARED,
    CONSENT_REQUIRED,
    CONTRAINDICATED,
    REVIEW_REQUIRED,
    SCREENING_REQUIRED,
    involves_needling,
    needling_clearances,
    plans_adherence,
    plans_visible_to,
)


@dataclass(frozen=True)
class PatientHistory:
    """What a therapist sees about a patient's visits next to a booking."""

    sessions_before: int
    last_seen: datetime | None


def therapist_bookings(therapist: Therapist, *, start: datetime, end: datetime) -> list[Booking]:
    return list(
        Booking.objects.filter(
            therapist=therapist, start__lt=end, end__gt=start, status__in=ACTIVE_STATUSES
        )
        .select_related("clinic", "treatment", "room", "patient")
        .prefetch_related("treatment__required_qualifications")
        .order_by("start")
    )


def histories_for(bookings: list[Booking]) -> dict[int, PatientHistory]:
    """Per booking: how many sessions the patient attended at that clinic before, and when last."""
    patient_ids = {booking.patient_id for booking in bookings}
    if not patient_ids:
        return {}
    earlier = Booking.objects.filter(
        patient_id__in=patient_ids, status__in=[BookingStatus.ARRIVED, BookingStatus.COMPLETED]
    ).values_list("patient_id", "clinic_id", "start")
    visits: dict[tuple[int, int], list[datetime]] = {}
    for patient_id, clinic_id, start in earlier:
        visits.setdefault((patient_id, clinic_id), []).append(start)
    result = {}
    for booking in bookings:
        before = [
            start
            for start in visits.get((booking.patient_id, booking.clinic_id), [])
            if start < booking.start
        ]
        result[booking.pk] = PatientHistory(len(before), max(before, default=None))
    return result


NEEDLING_STATUS_TEXT = {
    CLEARED: "Cleared for dry needling",
    SCREENING_REQUIRED: "Needs a dry-needling screening first",
    CONSENT_REQUIRED: "Needs consent to dry needling",
    ACKNOWLEDGEMENT_REQUIRED: "Needling precautions to acknowledge first",
    REVIEW_REQUIRED: 'Screening answer "not sure": check it with the patient first',
    CONTRAINDICATED: "Must not be needled: contraindication on screening",
}


@dataclass(frozen=True)
class PlanContext:
    """Where a session sits in the patient's treatment plan, for the therapist seeing them."""

    plan: TreatmentPlan | None
    session_number: int | None = None
    of_sessions: int | None = None
    phase_name: str = ""
    exercise_adherence: int | None = None  # % of home exercise done in the last full plan week
    needling: str = ""  # clearance, for sessions that involve dry needling


def _last_full_week_percent(weeks) -> int | None:
    done = [week for week in weeks if not week.in_progress]
    return done[-1].percent if done else None


def plan_context_for(bookings: list[Booking], *, user, today: date) -> dict[int, PlanContext]:
    """Per booking: its planned session (n of N, phase), else the patient's active plan at that
    clinic; last week's home-exercise adherence; and needling clearance where it matters.

    Plans are read through plans.selectors.plans_visible_to(user), so a therapist sees the
    plans of their own clinics only; the plan and needling lines are clinical content, shown
    only where plans.access lets the therapist read them (and each read is recorded).
    """
    if not bookings:
        return {}
    readable = {
        record.patient.pk
        for record in readable_clinical_records(
            user,
            {ClinicalRecord(b.patient, "therapist_day_context", None) for b in bookings},
        )
    }
    bookings = [b for b in bookings if b.patient_id in readable]
    planned = {
        session.booking_id: session
        for session in PlanSession.objects.filter(
            booking__in=[b.pk for b in bookings]
        ).select_related("plan", "component__phase")
    }
    of_component = dict(
        PlanSession.objects.filter(component__in={s.component_id for s in planned.values()})
        .values_list("component")
        .annotate(count=Count("id"))
    )
    visible = plans_visible_to(user)
    active = {
        (plan.patient_id, plan.clinic_id): plan
        for plan in visible.filter(
            patient_id__in={b.patient_id for b in bookings}, status=PlanStatus.ACTIVE
        ).order_by("start_date")
    }
    visible_ids = set(
        visible.filter(pk__in={s.plan_id for s in planned.values()}).values_list("pk", flat=True)
    )
    plan_of = {}
    for booking in bookings:
        session = planned.get(booking.pk)
        if session is not None and session.plan_id in visible_ids:
            plan_of[booking.pk] = (session, session.plan)
        else:
            plan_of[booking.pk] = (None, active.get((booking.patient_id, booking.clinic_id)))
    # Every plan's adherence and every patient's clearance in a fixed number of queries.
    shown = {plan.pk: plan for _, plan in plan_of.values() if plan is not None}
    adherence = {
        plan_id: _last_full_week_percent(weeks)
        for plan_id, weeks in plans_adherence(list(shown.values()), today=today).items()
    }
    needles = {b.treatment_id: involves_needling(b.treatment) for b in bookings}
    needled = {b.patient_id for b in bookings if needles[b.treatment_id]}
    clearance = needling_clearances(needled) if needled else None
    context = {}
    for booking in bookings:
        session, plan = plan_of[booking.pk]
        needling = ""
        if needles[booking.treatment_id]:
            day = booking.start.astimezone(booking.clinic.tz).date()
            status = clearance(booking.patient_id, day).status
            needling = NEEDLING_STATUS_TEXT.get(status, status)
        context[booking.pk] = PlanContext(
            plan=plan,
            session_number=session.sequence if session else None,
            of_sessions=of_component.get(session.component_id) if session else None,
            phase_name=session.component.phase.name if session else "",
            exercise_adherence=adherence.get(plan.pk) if plan else None,
            needling=needling,
        )
    return context
