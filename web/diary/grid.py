"""The reception diary as data: columns (per therapist or room, per day) and what sits in them.

Everything is placed in wall-clock minutes of the clinic's zone, so 09:00 is drawn at 09:00 on
a clock-change day too.

A day shows every therapist (or room) side by side, or one of them. A week shows one therapist's
or one room's seven days side by side: seven days of every therapist in one screen left each
column too narrow to read a 15-minute booking, so the week asks for one resource and, when none
is named, starts with the first one and says so on the page.

Items that overlap in one column (a block over a booking, a closure over a session) are laid
side by side in lanes; the places of one group class are drawn as one item listing its patients.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
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

from ..selectors import local_midnight
from .cards import Card, card_for, desk_bookings

DAY_MINUTES = 24 * 60
DEFAULT_HOURS = (8 * 60, 18 * 60)
# Items shorter than this are drawn on one line (time and name first), the rest in the card.
COMPACT_MINUTES = 30


class By:
    THERAPIST = "therapist"
    ROOM = "room"


@dataclass
class Item:
    """Something drawn in a column: a booking, a group class, a block, or a session elsewhere."""

    dom_id: str
    kind: str  # "booking" | "group" | "block" | "elsewhere"
    column: str
    at: int  # minutes from the top of the grid
    length: int
    obj: object = None
    label_start: str = ""
    label_end: str = ""
    cards: list[Card] = field(default_factory=list)  # a booking's card; a class's, one each
    suffix: str = ""  # "-2027-03-01" on a week, where one booking may cross midnight
    lane: int = 0
    lanes: int = 1

    @property
    def card(self) -> Card | None:
        return self.cards[0] if self.cards else None

    @property
    def compact(self) -> bool:
        return self.length < COMPACT_MINUTES


@dataclass
class Column:
    key: str
    day: date
    therapist: Therapist | None
    room: Room | None
    first_of_day: bool = False
    open_periods: list[tuple[int, int]] = field(default_factory=list)  # (at, length) unshaded
    items: list[Item] = field(default_factory=list)
    day_url: str = ""  # this day's day view (set by the page)
    sheet_url: str = ""  # the therapist's day sheet for this day (set by the page)

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


def _lay_out_lanes(items: list[Item]) -> None:
    """Give overlapping items lanes side by side (each cluster of overlaps shares its width)."""
    cluster: list[Item] = []
    lane_ends: list[int] = []
    cluster_end = -1

    def close() -> None:
        for item in cluster:
            item.lanes = len(lane_ends)

    for item in sorted(items, key=lambda i: (i.at, -i.length, i.dom_id)):
        if item.at >= cluster_end and cluster:
            close()
            cluster, lane_ends = [], []
        free = next((n for n, end in enumerate(lane_ends) if end <= item.at), None)
        if free is None:
            lane_ends.append(item.at + item.length)
            item.lane = len(lane_ends) - 1
        else:
            lane_ends[free] = item.at + item.length
            item.lane = free
        cluster.append(item)
        cluster_end = max(cluster_end, item.at + item.length)
    if cluster:
        close()


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
        self.day = day  # the date asked for: kept when switching between day and week
        first_day = day - timedelta(days=day.weekday()) if self.view == "week" else day
        self.first_day = first_day
        self.days = [first_day + timedelta(days=n) for n in range(7 if self.view == "week" else 1)]
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
        # The week is one resource's: none named, the first one (the page says so).
        self.chosen_for_you = self.view == "week" and self.only is None and bool(resources)
        if self.chosen_for_you:
            self.only = resources[0].pk
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

        bookings = list(desk_bookings(clinic=clinic, start=self.window_start, end=self.window_end))
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

        # The places of one group class share a session (treatment, therapist, room, start):
        # drawn as one item listing its patients, never stacked exactly on top of each other.
        sessions: dict[str, list[Booking]] = defaultdict(list)
        for booking in bookings:
            sessions[booking.session_key if booking.capacity > 1 else f"1:{booking.pk}"].append(
                booking
            )
        for places in sessions.values():
            booking = places[0]
            group = booking.capacity > 1
            self._place(
                by_key,
                booking.therapist_id if self.by == By.THERAPIST else booking.room_id,
                f"gr-{booking.pk}" if group else f"bk-{booking.pk}",
                "group" if group else "booking",
                booking.start,
                booking.end,
                booking,
                cards=[card_for(place) for place in places],
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
        for column in self.columns:
            _lay_out_lanes(column.items)

    def _place(self, by_key, resource_id, dom_id, kind, start, end, obj, cards=()) -> None:
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
                    suffix=suffix,
                    kind=kind,
                    column=column.key,
                    at=top - self.grid_start,
                    length=bottom - top,
                    obj=obj,
                    label_start=f"{start.astimezone(tz):%H:%M}",
                    label_end=f"{end.astimezone(tz):%H:%M}",
                    cards=list(cards),
                )
            )

    # --- presentation helpers --------------------------------------------------------------

    @property
    def one_resource_week(self) -> bool:
        """A week of one therapist or room: its columns are days, headed by the date."""
        return self.view == "week" and self.only is not None

    @property
    def resource(self) -> Therapist | Room | None:
        """The one therapist or room shown, when only one is."""
        return self.resources[0] if self.only is not None and self.resources else None

    @property
    def resource_name(self) -> str:
        resource = self.resource
        if resource is None:
            return ""
        return resource.full_name if isinstance(resource, Therapist) else resource.name

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
        return self.day - timedelta(days=7 if self.view == "week" else 1)

    @property
    def next_day(self) -> date:
        return self.day + timedelta(days=7 if self.view == "week" else 1)
