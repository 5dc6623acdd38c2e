"""What reception sees of a booking at a glance: the diary's hover card and the day sheet's row.

Everything here comes from one query for all the bookings of a page (`desk_bookings`): the
patient, treatment, therapist and room joined in, the plan session the booking holds joined in,
and three small correlated subqueries (first visit, which phase, sessions still to book)
evaluated by the database in that same statement. So a week of 200 bookings costs what a week
of none does, and no template ever looks anything up one booking at a time.

Reception sees the scheduling side of a plan only (plans/access.py): that the visit belongs to a
treatment plan, who leads it, which phase it is in by number, its status and how many sessions
are still to book. A plan's title and its phases' names are clinical fields
(plans.serializers.CLINICAL_FIELDS: "Lumbar disc rehab", "Settle pain") and are not shown here,
nor are screening answers, outcomes or session notes. The booking's desk note is flagged, not
quoted: it is read in the booking's own dialog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from booking.models import Booking, BookingStatus, Clinic
from plans.models import PlanPhase, PlanSession

# A booking that counts as a visit already made or planned before this one: had the patient an
# earlier one of these at the clinic, this is a follow-up. No-shows and cancellations do not
# count, so a patient who missed their first appointment is still new when they come.
VISIT_STATUSES = [BookingStatus.CONFIRMED, BookingStatus.ARRIVED, BookingStatus.COMPLETED]


def _count(queryset: QuerySet, group_by: str) -> Coalesce:
    """COUNT(*) of a correlated queryset as a subquery expression (0 when it has no rows)."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_card_facts(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """`bookings` with what their cards show loaded in the same statement (module docstring)."""
    plan = OuterRef("plan_session__plan")
    earlier_visit = Booking.objects.filter(
        clinic=OuterRef("clinic"),
        patient=OuterRef("patient"),
        start__lt=OuterRef("start"),
        status__in=VISIT_STATUSES,
    )
    return bookings.select_related(
        "patient", "treatment", "therapist", "room", "plan_session__plan__lead_therapist"
    ).annotate(
        is_follow_up=Exists(earlier_visit),
        plan_phases=_count(PlanPhase.objects.filter(plan=plan), "plan"),
        plan_phase_number=_count(
            PlanPhase.objects.filter(
                plan=plan, order__lte=OuterRef("plan_session__component__phase__order")
            ),
            "plan",
        ),
        plan_to_book=_count(
            PlanSession.objects.filter(plan=plan).filter(
                Q(booking__isnull=True) | Q(booking__status=BookingStatus.CANCELLED)
            ),
            "plan",
        ),
    )


def desk_bookings(*, clinic: Clinic, start: datetime, end: datetime) -> QuerySet[Booking]:
    """The clinic's bookings overlapping [start, end), cancelled ones left out, each carrying
    what its card shows (see the module docstring). One query however many there are."""
    bookings = Booking.objects.filter(clinic=clinic, start__lt=end, end__gt=start).exclude(
        status=BookingStatus.CANCELLED
    )
    return with_card_facts(bookings).order_by("start", "id")


@dataclass(frozen=True)
class PlanFacts:
    """The scheduling side of the plan a booking belongs to."""

    lead: str
    status: str
    phase_number: int
    phases: int
    to_book: int

    @property
    def summary(self) -> str:
        """ "Treatment plan, phase 2 of 3, 4 sessions to book" (no clinical words)."""
        parts = ["Treatment plan"]
        if self.phases:
            parts.append(f"phase {self.phase_number} of {self.phases}")
        if self.to_book:
            parts.append(f"{self.to_book} session{'s' if self.to_book != 1 else ''} to book")
        return ", ".join(parts)


@dataclass(frozen=True)
class Card:
    """One booking as reception sees it at a glance."""

    booking: Booking
    first_visit: bool
    plan: PlanFacts | None
    has_desk_note: bool

    @property
    def visit(self) -> str:
        return "First visit" if self.first_visit else "Follow-up"


def card_for(booking: Booking) -> Card:
    """The card of a booking loaded by `desk_bookings` (no query)."""
    try:
        session = booking.plan_session
    except ObjectDoesNotExist:
        session = None
    plan = None
    if session is not None:
        plan = PlanFacts(
            lead=session.plan.lead_therapist.full_name,
            status=session.plan.get_status_display(),
            phase_number=booking.plan_phase_number,
            phases=booking.plan_phases,
            to_book=booking.plan_to_book,
        )
    return Card(
        booking=booking,
        first_visit=not booking.is_follow_up,
        plan=plan,
        has_desk_note=bool(booking.notes.strip()),
    )
