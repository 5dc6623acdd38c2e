"""Reception's lists beside the diary: the call list (who is still expected, who cancelled late
or did not come) and a therapist's printable day sheet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from booking.models import Block, Booking, BookingStatus, Clinic, Therapist

from ..selectors import local_midnight
from .cards import Card, card_for, desk_bookings


@dataclass
class FollowUps:
    """Reception's call list, one click from the diary."""

    expected: list[Booking]  # today, booked, not arrived yet, not over
    late_cancellations: list[Booking]  # this week (Monday to Sunday)
    no_shows: list[Booking]  # this week


def follow_ups(*, clinic: Clinic, now: datetime | None = None) -> FollowUps:
    """Today's arrivals still expected, and this week's late cancellations and no-shows, each
    with the patient loaded (reception calls them). Three queries."""
    now = now or timezone.now()
    tz = clinic.tz
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    week = (local_midnight(monday, tz), local_midnight(monday + timedelta(days=7), tz))
    bookings = Booking.objects.filter(clinic=clinic).select_related(
        "patient", "treatment", "therapist"
    )
    return FollowUps(
        expected=list(
            bookings.filter(
                status=BookingStatus.CONFIRMED,
                start__lt=local_midnight(today + timedelta(days=1), tz),
                start__gte=local_midnight(today, tz),
                end__gt=now,
            ).order_by("start", "pk")
        ),
        late_cancellations=list(
            bookings.filter(
                status=BookingStatus.CANCELLED,
                is_late_cancellation=True,
                start__gte=week[0],
                start__lt=week[1],
            ).order_by("start", "pk")
        ),
        no_shows=list(
            bookings.filter(
                status=BookingStatus.NO_SHOW, start__gte=week[0], start__lt=week[1]
            ).order_by("start", "pk")
        ),
    )


@dataclass(frozen=True)
class SheetRow:
    """One line of a day sheet: a booking (with its card) or time blocked off."""

    start: datetime
    end: datetime
    card: Card | None = None
    block: Block | None = None


@dataclass(frozen=True)
class DaySheet:
    therapist: Therapist
    day: date
    rows: list[SheetRow]

    @property
    def patients(self) -> int:
        return len({row.card.booking.patient_id for row in self.rows if row.card})


def day_sheet(*, clinic: Clinic, therapist: Therapist, day: date) -> DaySheet:
    """A therapist's day at the clinic as a list, in time order: every booking that was not
    cancelled (with its card: phone, first visit or follow-up, plan, status) and the time they
    are blocked off (theirs, or the whole clinic closed). Two queries."""
    start = local_midnight(day, clinic.tz)
    end = local_midnight(day + timedelta(days=1), clinic.tz)
    bookings = desk_bookings(clinic=clinic, start=start, end=end).filter(therapist=therapist)
    blocks = Block.objects.filter(start__lt=end, end__gt=start).filter(
        Q(therapist=therapist) | Q(clinic=clinic, therapist__isnull=True, room__isnull=True)
    )
    rows = [SheetRow(b.start, b.end, card=card_for(b)) for b in bookings]
    rows += [SheetRow(b.start, b.end, block=b) for b in blocks]
    rows.sort(key=lambda row: (row.start, row.block is None, row.end))
    return DaySheet(therapist=therapist, day=day, rows=rows)
