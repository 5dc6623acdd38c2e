"""The reception diary as data: columns (per therapist or room, per day) and what sits in them.

Everything is placed in wall-clock minutes of the clinic's zone, so 09:00 is drawn at 09:00 on
a clock-change day too. A cheap `diary_signature` lets the page ask "anything new?" every few
seconds without building the whole diary (see views.diary.changes).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from booking.availability import intersect_periods
from booking.models import (
    ACTIVE_STATUSES,
    Block,
    Booking,
    BookingStatus,
    Clinic,
    OpeningHours,
    Room,
    Therapist,
    WorkingHours,
)
from waitlist.selectors import waitlist_signature

from .selectors import local_midnight

DAY_MINUTES = 24 * 60
DEFAULT_HOURS = (8 * 60, 18 * 60)


class By:
    THERAPIST = "therapist"
    ROOM = "room"


@dataclass
class Item:
    """Something drawn in a column: a booking, a block, or a therapist's session elsewhere."""

    dom_id: str
    kind: str  # "booking" | "block" | "elsewhere"
    column: str
    at: int  # minutes from the top of the grid
    length: int
    obj: object = None
    label_start: str = ""
    label_end: str = ""


@dataclass
class Column:
    key: str
    day: date
    therapist: Therapist | None
    room: Room | None
    first_of_day: bool = False
    open_periods: list[tuple[int, int]] = field(default_factory=list)  # (at, length) unshaded
    items: list[Item] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.therapist.full_name if self.therapist else self.room.name

    @property
    def is_inactive(self) -> bool:
        """A deactivated therapist or room, shown only because bookings remain in the window."""
        resource = self.therapist or self.room
        return not resource.is_active


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _wall(instant: datetime, tz) -> int:
    local = instant.astimezone(tz)
    return local.hour * 60 + local.minute


class Diary:
    """One clinic's diary for a day or a week, in columns per therapist or per room."""

    def __init__(
        self,
        *,
        clinic: Clinic,
        day: date,
        view: str = "day",
        by: str = By.THERAPIST,
        only: int | None = None,
        now: datetime | None = None,
    ):
        self.clinic = clinic
        self.tz = clinic.tz
        self.view = "week" if view == "week" else "day"
        self.by = By.ROOM if by == By.ROOM else By.THERAPIST
        self.now = now or timezone.now()
        if self.view == "week":
            day = day - timedelta(days=day.weekday())
        self.first_day = day
        self.days = [day + timedelta(days=n) for n in range(7 if self.view == "week" else 1)]
        self.window_start = local_midnight(self.days[0], self.tz)
        self.window_end = local_midnight(self.days[-1] + timedelta(days=1), self.tz)

        # Active therapists and rooms, plus any deactivated one still holding a booking in the
        # window: deactivating someone must never make their booked patients vanish from the
        # diary (reception still has to see, move or cancel them).
        booked_here = Booking.objects.filter(
            clinic=clinic, start__lt=self.window_end, end__gt=self.window_start
        ).exclude(status=BookingStatus.CANCELLED)
        therapists = (
            Therapist.objects.filter(clinics=clinic)
            .filter(Q(is_active=True) | Q(pk__in=booked_here.values("therapist_id")))
            .distinct()
            .order_by("-is_active", "first_name", "last_name")
        )
        rooms = (
            Room.objects.filter(clinic=clinic)
            .filter(Q(is_active=True) | Q(pk__in=booked_here.values("room_id")))
            .order_by("-is_active", "name")
        )
        self.all_therapists = list(therapists)
        self.all_rooms = list(rooms)
        resources = self.all_therapists if self.by == By.THERAPIST else self.all_rooms
        self.only = only if any(resource.pk == only for resource in resources) else None
        self.resources = [r for r in resources if self.only in (None, r.pk)]
        self._load()

    # --- loading ----------------------------------------------------------------------------

    def _load(self) -> None:
        clinic, tz = self.clinic, self.tz
        opening: dict[int, list[tuple[int, int]]] = {}
        for weekday, opens, closes in OpeningHours.objects.filter(clinic=clinic).values_list(
            "weekday", "opens", "closes"
        ):
            opening.setdefault(weekday, []).append((_minutes(opens), _minutes(closes)))
        working: dict[tuple[int, int], list[tuple[int, int]]] = {}
        if self.by == By.THERAPIST:
            for therapist_id, weekday, starts, ends in WorkingHours.objects.filter(
                clinic=clinic, therapist__in=[t.pk for t in self.resources]
            ).values_list("therapist_id", "weekday", "starts", "ends"):
                working.setdefault((therapist_id, weekday), []).append(
                    (_minutes(starts), _minutes(ends))
                )

        shown_weekdays = {day.weekday() for day in self.days}
        spans = [p for weekday in shown_weekdays for p in opening.get(weekday, [])]
        first = min((p[0] for p in spans), default=DEFAULT_HOURS[0])
        last = max((p[1] for p in spans), default=DEFAULT_HOURS[1])

        bookings = list(
            Booking.objects.filter(
                clinic=clinic, start__lt=self.window_end, end__gt=self.window_start
            )
            .exclude(status=BookingStatus.CANCELLED)
            .select_related("patient", "treatment", "therapist", "room")
            .order_by("start", "id")
        )
        therapist_ids = [t.pk for t in self.all_therapists]
        room_ids = [r.pk for r in self.all_rooms]
        blocks = list(
            Block.objects.filter(start__lt=self.window_end, end__gt=self.window_start)
            .filter(
                Q(clinic=clinic, therapist__isnull=True, room__isnull=True)
                | Q(therapist__in=therapist_ids)
                | Q(room__in=room_ids)
            )
            .select_related("therapist", "room")
        )
        elsewhere = []
        if self.by == By.THERAPIST:
            # Sessions of these therapists at their other clinics: shown as busy, without details.
            elsewhere = list(
                Booking.objects.filter(
                    therapist__in=[t.pk for t in self.resources],
                    status__in=ACTIVE_STATUSES,
                    start__lt=self.window_end,
                    end__gt=self.window_start,
                )
                .exclude(clinic=clinic)
                .values_list("pk", "therapist_id", "start", "end")
            )
        for booking in bookings:
            first = min(first, _wall(booking.start, tz))
            last = max(last, _wall(booking.end, tz) or DAY_MINUTES)
        self.grid_start = (first // 60) * 60
        self.grid_end = min(DAY_MINUTES, -(-last // 60) * 60)

        self.columns: list[Column] = []
        by_key: dict[tuple[date, int], Column] = {}
        for day in self.days:
            for index, resource in enumerate(self.resources):
                column = Column(
                    key=f"{day.isoformat()}:{self.by[0]}{resource.pk}",
                    day=day,
                    therapist=resource if self.by == By.THERAPIST else None,
                    room=resource if self.by == By.ROOM else None,
                    first_of_day=index == 0,
                )
                periods = opening.get(day.weekday(), [])
                if self.by == By.THERAPIST:
                    periods = intersect_periods(
                        periods, working.get((resource.pk, day.weekday()), [])
                    )
                column.open_periods = [
                    (lo - self.grid_start, hi - lo)
                    for lo, hi in intersect_periods(periods, [(self.grid_start, self.grid_end)])
                ]
                self.columns.append(column)
                by_key[(day, resource.pk)] = column

        for booking in bookings:
            resource_id = booking.therapist_id if self.by == By.THERAPIST else booking.room_id
            self._place(
                by_key,
                resource_id,
                f"bk-{booking.pk}",
                "booking",
                booking.start,
                booking.end,
                booking,
            )
        for block in blocks:
            if block.therapist_id is None and block.room_id is None:
                targets = [r.pk for r in self.resources]
            elif self.by == By.THERAPIST and block.therapist_id:
                targets = [block.therapist_id]
            elif self.by == By.ROOM and block.room_id:
                targets = [block.room_id]
            else:
                continue
            for resource_id in targets:
                self._place(
                    by_key,
                    resource_id,
                    f"bl-{block.pk}-{resource_id}",
                    "block",
                    block.start,
                    block.end,
                    block,
                )
        for pk, therapist_id, start, end in elsewhere:
            self._place(by_key, therapist_id, f"ex-{pk}", "elsewhere", start, end, None)

    def _place(self, by_key, resource_id, dom_id, kind, start, end, obj) -> None:
        tz = self.tz
        for day in self.days:
            column = by_key.get((day, resource_id))
            if column is None:
                continue
            day_start = local_midnight(day, tz)
            day_end = local_midnight(day + timedelta(days=1), tz)
            if end <= day_start or start >= day_end:
                continue
            top = _wall(max(start, day_start), tz)
            bottom = DAY_MINUTES if end >= day_end else _wall(end, tz)
            top, bottom = max(top, self.grid_start), min(bottom, self.grid_end)
            if bottom <= top:
                continue
            suffix = "" if len(self.days) == 1 else f"-{day.isoformat()}"
            column.items.append(
                Item(
                    dom_id=f"{dom_id}{suffix}",
                    kind=kind,
                    column=column.key,
                    at=top - self.grid_start,
                    length=bottom - top,
                    obj=obj,
                    label_start=f"{start.astimezone(tz):%H:%M}",
                    label_end=f"{end.astimezone(tz):%H:%M}",
                )
            )

    # --- presentation helpers --------------------------------------------------------------

    @property
    def items(self) -> list[Item]:
        return [item for column in self.columns for item in column.items]

    @property
    def span(self) -> int:
        return self.grid_end - self.grid_start

    @property
    def hour_marks(self) -> list[tuple[int, str]]:
        return [
            (m - self.grid_start, f"{m // 60:02d}:00")
            for m in range(self.grid_start, self.grid_end, 60)
        ]

    @property
    def now_at(self) -> tuple[date, int] | None:
        """Today's date and the current time's position, when it falls inside the grid."""
        local = self.now.astimezone(self.tz)
        at = local.hour * 60 + local.minute
        if local.date() in self.days and self.grid_start <= at < self.grid_end:
            return local.date(), at - self.grid_start
        return None

    @property
    def previous_day(self) -> date:
        return self.first_day - timedelta(days=7 if self.view == "week" else 1)

    @property
    def next_day(self) -> date:
        return self.first_day + timedelta(days=7 if self.view == "week" else 1)


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


def not_working_reason(
    *, clinic: Clinic, day: date, at: time, therapist: Therapist | None = None
) -> str | None:
    """Why nobody can be booked at that wall-clock time, or None when it is inside hours.

    The clinic's opening hours first, then (for a chosen therapist) their working hours there.
    Checked when reception clicks the diary, so a click on shaded time says so at once instead
    of failing after the whole form is filled in. Blocks and bookings are left to the service.
    """
    minute = _minutes(at)
    opening = [
        (_minutes(opens), _minutes(closes))
        for opens, closes in OpeningHours.objects.filter(
            clinic=clinic, weekday=day.weekday()
        ).values_list("opens", "closes")
    ]
    when = f"{at:%H:%M} on {day:%A} {day.day} {day:%B}"
    if not any(lo <= minute < hi for lo, hi in opening):
        return f"{clinic.name} is closed at {when}."
    if therapist is not None:
        working = WorkingHours.objects.filter(
            clinic=clinic, therapist=therapist, weekday=day.weekday()
        ).values_list("starts", "ends")
        if not any(_minutes(lo) <= minute < _minutes(hi) for lo, hi in working):
            return f"{therapist.full_name} is not working at {when}."
    return None


def diary_signature(*, clinic: Clinic, first_day: date, days: int) -> str:
    """A short fingerprint of everything the diary draws between those days.

    Four small queries. Any booking made, moved or changed (each change raises its
    version), block added or removed, or waiting-list change alters it.
    """
    tz = clinic.tz
    start = local_midnight(first_day, tz)
    end = local_midnight(first_day + timedelta(days=days), tz)
    # A list, not a subquery: "clinic = x OR therapist IN (list)" is two index scans on
    # PostgreSQL, while "OR therapist IN (subquery)" read every booking of the network.
    therapist_ids = list(Therapist.objects.filter(clinics=clinic).values_list("pk", flat=True))
    bookings = Booking.objects.filter(
        Q(clinic=clinic) | Q(therapist__in=therapist_ids), start__lt=end, end__gt=start
    ).aggregate(count=Count("id"), changed=Max("updated_at"), versions=Sum("version"))
    blocks = Block.objects.filter(
        Q(clinic=clinic) | Q(therapist__in=therapist_ids) | Q(room__clinic=clinic),
        start__lt=end,
        end__gt=start,
    ).aggregate(count=Count("id"), changed=Max("created_at"), last=Max("id"))
    parts = [*bookings.values(), *blocks.values()]
    parts.extend(waitlist_signature(clinic))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]
