"""The times step's picker, shared by online booking and moving an appointment: a week of
bookable times and, on the booking step, the month view to pick a day, both from one
availability run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .. import selectors
from .common import parse_day

WEEKDAYS = [
    ("Monday", "Mon"),
    ("Tuesday", "Tue"),
    ("Wednesday", "Wed"),
    ("Thursday", "Thu"),
    ("Friday", "Fri"),
    ("Saturday", "Sat"),
    ("Sunday", "Sun"),
]


@dataclass(frozen=True)
class MonthDay:
    """One day of the month view on the times step."""

    day: date
    times: int = 0
    # None when times are free; else why not: "past", "closed", "not working", "full" or
    # "not yet" (beyond how far ahead the clinic takes online bookings).
    nothing_because: str | None = None

    @property
    def short(self) -> str:
        """What fits in a phone-width cell (the legend explains each)."""
        if self.times:
            return str(self.times)
        return {"closed": "shut", "not working": "off", "full": "full"}.get(
            self.nothing_because, ""
        )

    @property
    def described(self) -> str:
        when = f"{self.day:%A} {self.day.day} {self.day:%B}"
        if self.times:
            return f"{when}: {self.times} free time{'s' if self.times != 1 else ''}"
        reason = {
            "closed": "the clinic is closed",
            "not working": "the therapist is not working",
            "not yet": "not open for online booking yet",
            "full": "no free times",
        }.get(self.nothing_because, "no free times")
        return f"{when}: {reason}"


def _month_weeks(
    first: date, by_day: dict, *, today: date, horizon: date
) -> list[list[MonthDay | None]]:
    """The month of `first` as weeks from Monday (None pads the first and last weeks)."""
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    cells: list[MonthDay | None] = [None] * first.weekday()
    day = first
    while day <= last:
        found = by_day.get(day)
        if day < today:
            cells.append(MonthDay(day, nothing_because="past"))
        elif day > horizon:
            cells.append(MonthDay(day, nothing_because="not yet"))
        elif found is not None and found.times:
            cells.append(MonthDay(day, times=len(found.times)))
        else:
            cells.append(MonthDay(day, nothing_because=found.nothing_because if found else "full"))
        day += timedelta(days=1)
    cells += [None] * (-len(cells) % 7)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]


def week_of_times(
    request,
    treatment,
    therapist,
    *,
    exclude_booking_id=None,
    patient_id=None,
    not_at=None,
    with_month: bool = False,
) -> dict:
    """The context for a week of bookable times starting at ?from= (default today).

    `with_month` adds the month view of the week's first day, computed from the same single
    availability run as the week (the run then spans the month and the week: at most 37 days).
    """
    clinic = treatment.clinic
    today = clinic.today()
    first_day = max(parse_day(request.GET.get("from"), today), today)
    run_start, run_days = first_day, 7
    if with_month:
        month_first = first_day.replace(day=1)
        month_last = (month_first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        run_start = max(today, month_first)
        run_days = (max(month_last, first_day + timedelta(days=6)) - run_start).days + 1
    all_days = selectors.days_of_times(
        treatment=treatment,
        first_day=run_start,
        days=run_days,
        therapist_id=therapist.pk if therapist else None,
        patient_id=patient_id,
        exclude_booking_id=exclude_booking_id,
        not_at=not_at,
    )
    days = [day for day in all_days if first_day <= day.day <= first_day + timedelta(days=6)]
    with_times = [day for day in days if day.times]
    chosen = parse_day(request.GET.get("day"), None)
    # A day tapped on is shown even when empty, so it can say why (closed, not working, full).
    selected = next((day for day in days if day.day == chosen), None)
    selected = selected or (with_times[0] if with_times else days[0])
    context = {
        "days": days,
        "selected": selected,
        "parts": selectors.parts_of_day(selected.times),
        "first_day": first_day,
        "last_day": first_day + timedelta(days=6),
        "previous_from": (first_day - timedelta(days=7)) if first_day > today else None,
        "next_from": first_day + timedelta(days=7),
        "therapist": therapist,
        "has_times": bool(with_times),
    }
    if with_month:
        month_first = first_day.replace(day=1)
        horizon = today + timedelta(days=clinic.booking_horizon_days)
        previous_month = (month_first - timedelta(days=1)).replace(day=1)
        next_month = (month_first + timedelta(days=32)).replace(day=1)
        context["weekdays"] = WEEKDAYS
        context["month"] = {
            "first": month_first,
            "weeks": _month_weeks(
                month_first, {d.day: d for d in all_days}, today=today, horizon=horizon
            ),
            "previous_from": max(previous_month, today) if month_first > today else None,
            "next_from": next_month if next_month <= horizon else None,
        }
    if not context["has_times"]:
        context["first_free_day"] = selectors.first_free_day(
            treatment=treatment,
            after=first_day + timedelta(days=6),
            therapist_id=therapist.pk if therapist else None,
            patient_id=patient_id,
            exclude_booking_id=exclude_booking_id,
        )
    return context
