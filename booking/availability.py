"""The availability engine: which start times a treatment can be booked at, and why not.

One `Availability` loads everything it needs for a treatment and a window in one query
(weekly hours, qualified therapists, fitting rooms and busy time together), whatever the window
length or the number of therapists, then answers in memory:

- `slots()` lists every bookable slot (a qualified therapist at work and free, a free room with
  the needed features, buffers kept, notice and horizon kept, group places left);
- `check(start, therapist_id)` returns the slot at that start or raises the error that explains
  why it cannot be booked (outside hours, therapist busy, no room, notice ...).

Clock changes: weekly hours are wall-clock times in the clinic's zone. Each day's periods are
turned into UTC instants first and slots are stepped through in UTC, so a period that spans the
spring-forward gap simply has an hour fewer (no slot inside the gap) and one that spans the
autumn overlap has an hour more (each instant offered once, none doubled or lost).

One algorithm, kept in one file on purpose: loading, the interval arithmetic and the answers
(including why a slot is refused) are read together. Its SQL is in availability_sql.py.

Speed: instants are handled as whole UTC epoch seconds. The database returns them as integers
(converting thousands of timestamps into Python datetimes costs more than everything else put
together), and interval arithmetic on integers is cheap.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import connections
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.api import DomainError

from . import errors
from .availability_sql import (
    BLOCK,
    BOOKING,
    DETAIL,
    OPENING,
    ROOM,
    THERAPIST,
    WORKING,
    as_time,
    availability_sql,
)
from .models import Booking, Room, Therapist, Treatment, session_key_for

MAX_WINDOW = timedelta(days=62)
# The window that answers for one start time: every rule is judged at the start itself.
ONE_START = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime
    end: datetime
    therapist_id: int
    room_id: int
    places_left: int
    capacity: int


Interval = tuple[int, int]


@dataclass(slots=True)
class GroupSession:
    """A session of the group treatment that already has patients (instants in epoch seconds)."""

    therapist_id: int
    room_id: int
    start: int
    end: int
    taken: int = 0
    patients: set[int] = field(default_factory=set)
    places: set[int] = field(default_factory=set)


def _epoch(instant: datetime) -> int:
    return int(instant.timestamp())


def _instant(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class _Forbidden:
    """Sorted, merged open intervals (lo, hi) of start times that are not allowed."""

    __slots__ = ("los", "his")

    def __init__(self, intervals: list[Interval]):
        los: list[int] = []
        his: list[int] = []
        for lo, hi in sorted(intervals):
            if his and lo < his[-1]:
                if hi > his[-1]:
                    his[-1] = hi
            else:
                los.append(lo)
                his.append(hi)
        self.los, self.his = los, his

    def blocks(self, start: int) -> bool:
        index = bisect.bisect_left(self.los, start) - 1
        return index >= 0 and start < self.his[index]


_NOTHING = _Forbidden([])


def _subtract(periods: list[Interval], holes: list[Interval]) -> list[Interval]:
    """Periods minus holes."""
    if not holes:
        return periods
    result = []
    for start, end in periods:
        pieces = [(start, end)]
        for hole_start, hole_end in holes:
            next_pieces = []
            for piece_start, piece_end in pieces:
                if hole_end <= piece_start or hole_start >= piece_end:
                    next_pieces.append((piece_start, piece_end))
                    continue
                if hole_start > piece_start:
                    next_pieces.append((piece_start, hole_start))
                if hole_end < piece_end:
                    next_pieces.append((hole_end, piece_end))
            pieces = next_pieces
        result.extend(pieces)
    return result


def intersect_periods(first: list[Interval], second: list[Interval]) -> list[Interval]:
    """Where two lists of (start, end) periods overlap, sorted."""
    result = []
    for a_start, a_end in first:
        for b_start, b_end in second:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if start < end:
                result.append((start, end))
    return sorted(result)


def wall_clock_period(day: date, starts: time, ends: time, tz) -> tuple[datetime, datetime]:
    """A weekly period on one day as UTC instants.

    The start takes the first of two ambiguous readings and the end the second, so a period that
    covers the autumn overlap keeps its whole length. A start inside the spring-forward gap is
    read with the offset before the gap (as RFC 5545 does).
    """
    start = datetime.combine(day, starts, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day, ends, tzinfo=tz).replace(fold=1).astimezone(UTC)
    return start, end


def qualified_therapists(treatment: Treatment):
    """Active therapists who hold every qualification the treatment needs."""
    required = Treatment.required_qualifications.through.objects.filter(treatment_id=treatment.pk)
    held = Therapist.qualifications.through.objects.filter(therapist_id=OuterRef(OuterRef("pk")))
    missing = required.exclude(qualification_id__in=held.values("qualification_id"))
    return Therapist.objects.filter(is_active=True).exclude(Exists(missing))


def fitting_rooms(treatment: Treatment):
    """Active rooms of the treatment's clinic that have every feature the treatment needs."""
    required = Treatment.required_room_features.through.objects.filter(treatment_id=treatment.pk)
    present = Room.features.through.objects.filter(room_id=OuterRef(OuterRef("pk")))
    missing = required.exclude(roomfeature_id__in=present.values("roomfeature_id"))
    return Room.objects.filter(clinic_id=treatment.clinic_id, is_active=True).exclude(
        Exists(missing)
    )


class Availability:
    """Everything needed to answer slot questions for one treatment over one window."""

    def __init__(
        self,
        *,
        treatment: Treatment,
        window_start: datetime,
        window_end: datetime,
        therapist_id: int | None = None,
        patient_id: int | None = None,
        apply_policy: bool = True,
        exclude_booking_id: int | None = None,
        now: datetime | None = None,
    ):
        if window_start.tzinfo is None or window_end.tzinfo is None:
            raise errors.InvalidWindow("Window times need a UTC offset.")
        if window_end <= window_start:
            raise errors.InvalidWindow("The window must end after it starts.")
        if window_end - window_start > MAX_WINDOW:
            raise errors.WindowTooLong(f"Ask for at most {MAX_WINDOW.days} days at a time.")
        self.treatment = treatment
        self.clinic = treatment.clinic
        self.tz = self.clinic.tz
        self.window_start = _epoch(window_start)
        self.window_end = _epoch(window_end)
        self.therapist_id = therapist_id
        self.patient_id = patient_id
        self.apply_policy = apply_policy
        self.exclude_booking_id = exclude_booking_id
        self.now = _epoch(now or timezone.now())
        self.duration = treatment.duration_minutes * 60
        self.before = treatment.buffer_before_minutes * 60
        self.after = treatment.buffer_after_minutes * 60
        self.step = self.clinic.slot_step_minutes * 60
        self._load()

    @classmethod
    def at(cls, start: datetime, *, treatment: Treatment, **options) -> Availability:
        """What is needed to answer for the one start `start` (options as for the class)."""
        return cls(treatment=treatment, window_start=start, window_end=start + ONE_START, **options)

    @classmethod
    def is_free(
        cls,
        start: datetime,
        *,
        treatment: Treatment,
        therapist_id: int | None = None,
        room_id: int | None = None,
        **options,
    ) -> bool:
        """Whether `start` can be booked now (with that therapist and room, if given)."""
        try:
            cls.at(start, treatment=treatment, therapist_id=therapist_id, **options).check(
                start, therapist_id, room_id
            )
        except DomainError:  # any refusal means "not free"; check() says which
            return False
        return True

    # --- loading: one query ---------------------------------------------------------------

    def _load(self) -> None:
        connection = connections[Booking.objects.db]
        # Busy time that can touch a slot in the window (buffers included).
        reach = self.duration + self.before + self.after
        sql, params = availability_sql(
            connection,
            clinic_id=self.clinic.pk,
            treatment_id=self.treatment.pk,
            therapist_id=self.therapist_id,
            is_group=self.treatment.is_group,
            patient_id=self.patient_id,
            exclude_booking_id=self.exclude_booking_id,
            reach_start=_instant(self.window_start - reach),
            reach_end=_instant(self.window_end + reach),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        self.opening_hours: dict[int, list[tuple[time, time]]] = defaultdict(list)
        self.working_hours: dict[int, dict[int, list[tuple[time, time]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        # Names of the qualified therapists and fitting rooms, for whoever describes the booking
        # (its calendar entry and messages) without another query.
        self.therapist_names: dict[int, str] = {}
        busy = []
        for row in rows:
            kind = row[0]
            if kind in (WORKING, OPENING):
                starts, ends = row[10].split(",")
                period = (as_time(starts), as_time(ends))
                if kind == OPENING:
                    self.opening_hours[row[7]].append(period)
                else:
                    self.working_hours[row[1]][row[7]].append(period)
            elif kind == THERAPIST:
                self.therapist_names[row[1]] = row[10]
            else:
                busy.append(row)
        self.therapist_ids = sorted(self.working_hours)
        self._index_busy(busy)

    def _index_busy(self, rows) -> None:
        d, before, after = self.duration, self.before, self.after
        is_group = self.treatment.is_group
        treatment_id = self.treatment.pk
        working = self.working_hours
        therapist_busy: dict[int, list[Interval]] = defaultdict(list)
        room_busy: dict[int, list[Interval]] = defaultdict(list)
        patient_busy: list[Interval] = []
        self.therapist_blocks: dict[int, list[Interval]] = defaultdict(list)
        self.closures: list[Interval] = []
        sessions: dict[str, GroupSession] = {}
        rooms: list[tuple[str, int]] = []
        for (
            kind,
            therapist_id,
            room_id,
            busy_from,
            busy_to,
            patient_id,
            row_treatment,
            place,
            start,
            end,
            key,
        ) in rows:
            if kind == BOOKING:
                # A new session's blocked time [s - before, s + d + after) must not overlap
                # a held [from, to): so s may not lie strictly between these two instants.
                packed = list(map(int, key.split(",")))
                forbidden = [
                    (held_from - d - after, held_to + before)
                    for held_from, held_to in zip(packed[::2], packed[1::2], strict=True)
                ]
                if therapist_id in working:
                    therapist_busy[therapist_id].extend(forbidden)
                room_busy[room_id].extend(forbidden)
            elif kind == DETAIL:
                if patient_id == self.patient_id:
                    patient_busy.append((start - d, end))
                if is_group and row_treatment == treatment_id:
                    session = sessions.get(key)
                    if session is None:
                        session = sessions[key] = GroupSession(therapist_id, room_id, start, end)
                    session.taken += 1
                    session.patients.add(patient_id)
                    session.places.add(place)
            elif kind == BLOCK:
                if therapist_id is None and room_id is None:
                    self.closures.append((busy_from, busy_to))
                if therapist_id is not None:
                    self.therapist_blocks[therapist_id].append((busy_from, busy_to))
                if room_id is not None:
                    # A room out of use may not hold a session; buffers may touch it.
                    room_busy[room_id].append((busy_from - d, busy_to))
            elif kind == ROOM:
                rooms.append((key, room_id))
        self.room_ids = [room_id for _name, room_id in sorted(rooms)]
        self.room_names = {room_id: name for name, room_id in rooms}
        self.therapist_forbidden = {tid: _Forbidden(v) for tid, v in therapist_busy.items()}
        self.room_forbidden = {rid: _Forbidden(v) for rid, v in room_busy.items()}
        self.patient_forbidden = _Forbidden(patient_busy)
        self.group_sessions = sessions

    # --- answering --------------------------------------------------------------------------

    def _days(self) -> list[date]:
        first = _instant(self.window_start - 86400).astimezone(self.tz).date()
        last = _instant(self.window_end).astimezone(self.tz).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def _periods(self, day: date, hours: list[tuple[time, time]]) -> list[Interval]:
        periods = []
        for starts, ends in hours:
            start, end = wall_clock_period(day, starts, ends, self.tz)
            periods.append((_epoch(start), _epoch(end)))
        return sorted(periods)

    def _open_periods(self, day: date) -> list[Interval]:
        return _subtract(
            self._periods(day, self.opening_hours.get(day.weekday(), [])), self.closures
        )

    def _therapist_periods(self, therapist_id: int, day: date, open_periods) -> list[Interval]:
        periods = self._periods(day, self.working_hours[therapist_id].get(day.weekday(), []))
        return _subtract(
            intersect_periods(periods, open_periods), self.therapist_blocks.get(therapist_id, [])
        )

    def _earliest(self) -> int:
        earliest = max(self.window_start, self.now)
        if self.apply_policy:
            earliest = max(earliest, self.now + self.clinic.min_notice_minutes * 60)
        return earliest

    def _latest(self) -> int:
        latest = self.window_end
        if self.apply_policy:
            latest = min(latest, self.now + self.clinic.booking_horizon_days * 86400)
        return latest

    def _first_on_grid(self, instant: int) -> int:
        """The first start at or after `instant` that sits on the clinic's local step grid."""
        instant = -(-instant // 60) * 60  # up to a whole minute
        local = _instant(instant).astimezone(self.tz)
        minutes = local.hour * 60 + local.minute
        return instant + ((-minutes) % self.clinic.slot_step_minutes) * 60

    def _free_room(self, start: int, only: int | None = None) -> int | None:
        for room_id in self.room_ids if only is None else [only]:
            if not self.room_forbidden.get(room_id, _NOTHING).blocks(start):
                return room_id
        return None

    def _slot(
        self, start: int, therapist_id: int, room_id: int, places_left: int, end: int | None = None
    ) -> Slot:
        capacity = self.treatment.capacity
        return Slot(
            _instant(start),
            _instant(end if end is not None else start + self.duration),
            therapist_id,
            room_id,
            places_left,
            capacity,
        )

    def slots(self) -> list[Slot]:
        """Every bookable slot in the window, ordered by start then therapist."""
        earliest, latest = self._earliest(), self._latest()
        if earliest >= latest:
            return []
        capacity = self.treatment.capacity
        d, step, window_end = self.duration, self.step, self.window_end
        patient = self.patient_forbidden
        found: list[tuple[int, int, int]] = []
        for day in self._days():
            open_periods = self._open_periods(day)
            if not open_periods:
                continue
            for therapist_id in self.therapist_ids:
                busy = self.therapist_forbidden.get(therapist_id, _NOTHING)
                for period_start, period_end in self._therapist_periods(
                    therapist_id, day, open_periods
                ):
                    start = self._first_on_grid(max(period_start, earliest))
                    last = min(period_end - d, latest, window_end - 1)
                    while start <= last:
                        if not busy.blocks(start) and not patient.blocks(start):
                            room_id = self._free_room(start)
                            if room_id is not None:
                                found.append((start, therapist_id, room_id))
                        start += step
        result = [self._slot(start, tid, rid, capacity) for start, tid, rid in found]
        result.extend(self._group_slots(earliest, latest))
        result.sort(key=lambda slot: (slot.start, slot.therapist_id))
        return result

    def _group_slots(self, earliest: int, latest: int) -> list[Slot]:
        """Places left in group sessions that already exist."""
        result = []
        capacity = self.treatment.capacity
        for session in self.group_sessions.values():
            start = session.start
            if session.therapist_id not in self.working_hours or session.taken >= capacity:
                continue
            if not (earliest <= start <= latest and self.window_start <= start < self.window_end):
                continue
            if self.patient_id in session.patients or self.patient_forbidden.blocks(start):
                continue
            result.append(
                self._slot(
                    start,
                    session.therapist_id,
                    session.room_id,
                    capacity - session.taken,
                    session.end,
                )
            )
        return result

    def session_key(self, slot: Slot) -> str:
        return session_key_for(
            treatment_id=self.treatment.pk,
            therapist_id=slot.therapist_id,
            room_id=slot.room_id,
            start=slot.start,
        )

    def free_place(self, slot: Slot) -> int:
        """The lowest place number not taken in the slot's session (1 for a new session)."""
        session = self.group_sessions.get(self.session_key(slot))
        taken = session.places if session else set()
        return next(place for place in range(1, slot.capacity + 1) if place not in taken)

    def check(
        self, start: datetime, therapist_id: int | None = None, room_id: int | None = None
    ) -> Slot:
        """The slot at `start` (with that therapist and room, if given), or why there is none.

        Raises a BookingRuleBroken (400) for a request that could never succeed and a
        SlotConflict (409) for a time that is taken or closed.
        """
        at = _epoch(start)
        if at < self.now:
            raise errors.StartInPast()
        if self.apply_policy:
            if at < self.now + self.clinic.min_notice_minutes * 60:
                notice = _minutes_text(self.clinic.min_notice_minutes)
                raise errors.NoticeTooShort(f"Online bookings need at least {notice} notice.")
            if at > self.now + self.clinic.booking_horizon_days * 86400:
                raise errors.BeyondHorizon(
                    f"Bookings open {self.clinic.booking_horizon_days} days ahead."
                )
        if therapist_id is not None and therapist_id not in self.working_hours:
            self._explain_missing_therapist(therapist_id)
        if room_id is not None and room_id not in self.room_ids:
            raise errors.NoRoomFree(
                f"That room is not available for {self.treatment.name} (closed, or missing "
                "equipment it needs)."
            )

        candidates = [
            slot
            for slot in self._slots_at(at, room_id)
            if therapist_id in (None, slot.therapist_id) and room_id in (None, slot.room_id)
        ]
        if candidates:
            # A place in an existing group session first, so classes fill before new ones open.
            candidates.sort(key=lambda slot: (slot.places_left == slot.capacity, slot.therapist_id))
            return candidates[0]
        self._explain_no_slot(at, therapist_id, room_id)
        raise errors.SlotUnavailable("That time is not available.")

    def _fits(self, therapist_id: int, start: int, day: date, open_periods) -> bool:
        end = start + self.duration
        return any(
            s <= start and end <= e
            for s, e in self._therapist_periods(therapist_id, day, open_periods)
        )

    def _slots_at(self, start: int, room_id: int | None = None) -> list[Slot]:
        found = [
            slot
            for slot in self._group_slots(self._earliest(), self._latest())
            if _epoch(slot.start) == start
        ]
        if self.patient_forbidden.blocks(start) or self._first_on_grid(start) != start:
            return found
        day = _instant(start).astimezone(self.tz).date()
        open_periods = self._open_periods(day)
        for therapist_id in self.therapist_ids:
            if self.therapist_forbidden.get(therapist_id, _NOTHING).blocks(start):
                continue
            if not self._fits(therapist_id, start, day, open_periods):
                continue
            free_room = self._free_room(start, only=room_id)
            if free_room is not None:
                found.append(self._slot(start, therapist_id, free_room, self.treatment.capacity))
        return found

    def _explain_missing_therapist(self, therapist_id: int) -> None:
        therapist = Therapist.objects.filter(pk=therapist_id).first()
        if therapist is None or not therapist.is_active:
            raise errors.BookingRuleBroken("No such therapist.")
        if not qualified_therapists(self.treatment).filter(pk=therapist_id).exists():
            raise errors.TherapistNotQualified(
                f"{therapist.full_name} is not qualified for {self.treatment.name}."
            )
        if not therapist.clinics.filter(pk=self.clinic.pk).exists():
            raise errors.OutsideWorkingHours(
                f"{therapist.full_name} does not work at {self.clinic.name}."
            )
        raise errors.OutsideWorkingHours(
            f"{therapist.full_name} has no working hours at {self.clinic.name}."
        )

    def _explain_no_slot(self, start: int, therapist_id: int | None, room_id: int | None) -> None:
        local = _instant(start).astimezone(self.tz)
        if self._first_on_grid(start) != start:
            step = self.clinic.slot_step_minutes
            raise errors.OffGrid(f"Start times are every {step} minutes on the clinic's clock.")
        day = local.date()
        end = start + self.duration
        open_periods = self._open_periods(day)
        if not any(s <= start and end <= e for s, e in open_periods):
            raise errors.ClinicClosed(
                f"{self.clinic.name} is closed at {local:%H:%M} on {local:%A %-d %B}."
            )
        if self.patient_id is not None and self.patient_forbidden.blocks(start):
            raise errors.PatientDoubleBooked("The patient already has a session at that time.")
        candidates = [therapist_id] if therapist_id is not None else self.therapist_ids
        working = [tid for tid in candidates if self._fits(tid, start, day, open_periods)]
        if not working:
            raise errors.OutsideWorkingHours(
                "The therapist is not working then."
                if therapist_id
                else "No qualified therapist is working then."
            )
        free = [
            tid for tid in working if not self.therapist_forbidden.get(tid, _NOTHING).blocks(start)
        ]
        if not free:
            if self.treatment.is_group and any(
                session.therapist_id in working
                and session.start == start
                and session.taken >= self.treatment.capacity
                for session in self.group_sessions.values()
            ):
                raise errors.ClassFull("That class is full.")
            raise errors.TherapistBusy(
                "The therapist is already booked then."
                if therapist_id
                else "Every qualified therapist is booked then."
            )
        if room_id is not None:
            raise errors.NoRoomFree("That room is taken then.")
        if not self.room_ids:
            raise errors.NoRoomFree(
                f"{self.clinic.name} has no room equipped for {self.treatment.name}."
            )
        raise errors.NoRoomFree("No suitable room is free then.")


def _minutes_text(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minutes"
