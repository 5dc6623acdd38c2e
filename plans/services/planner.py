"""The scheduler's planner: one greedy algorithm that proposes a time for every plan session
still to book, and checks times a caller asked for. It reads only; scheduling.py books.

How times are chosen (greedy, in the order the sessions fall due):
- a session is due in plan week `start_week + (sequence - 1) // per_week` of its phase; a week
  that has already passed is caught up in the coming weeks, `per_week` sessions a week;
- candidates are the real free slots of the session's treatment in that week
  (booking.availability, so hours, rooms, buffers, blocks and the patient's own diary count),
  no earlier than the clinic's minimum notice;
- hard rules: no overlap with the patient's other sessions (buffers included); sessions sharing
  a modality at least `min_gap_hours` apart (48 h for needling); Graston and massage never on
  the same day;
- then preferences, in this order: the patient's preferred therapist (else the lead therapist,
  when qualified), weekdays, time of day; a day without another session; the time closest to
  an even spread over the week (twice a week: start and middle of the week).
A session with no time in its week is reported with the reason and alternatives from the two
weeks after it.

One algorithm, kept in one file on purpose: its rules and preferences are read together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from booking.availability import MAX_WINDOW, Availability, Slot
from booking.models import ACTIVE_STATUSES, Booking, Modality, Treatment, local_midnight
from core.api import DomainError

from ..clinical import SEPARATE_DAYS
from ..models import PlanSession, TreatmentPlan
from ..selectors import treatment_modalities
from .parts import default_gap_hours

ALTERNATIVES = 3
# How far past a session's week alternatives are sought when it has no time in its week.
ALTERNATIVE_REACH = timedelta(days=14)


@dataclass(frozen=True)
class RequestedSession:
    """A time the caller wants for a plan session (e.g. a proposal they adjusted)."""

    session_id: int
    start: datetime
    therapist_id: int | None = None


@dataclass
class ProposedSession:
    session: PlanSession
    week: int
    start: datetime | None = None
    end: datetime | None = None
    therapist_id: int | None = None
    room_id: int | None = None
    preferences_met: bool = True
    problem_code: str = ""
    problem: str = ""
    alternatives: list[Slot] = field(default_factory=list)
    booking: Booking | None = None

    @property
    def treatment(self) -> Treatment:
        return self.session.component.treatment


@dataclass
class Schedule:
    plan: TreatmentPlan
    sessions: list[ProposedSession]
    confirmed: bool = False

    @property
    def unscheduled(self) -> list[ProposedSession]:
        return [proposed for proposed in self.sessions if proposed.start is None]


@dataclass(frozen=True)
class _Commitment:
    """Time the patient is already taken (a booking or an earlier proposal)."""

    start: datetime
    blocked_start: datetime
    blocked_end: datetime
    modalities: frozenset[str]
    gap: timedelta
    day: date


class Planner:
    def __init__(self, plan: TreatmentPlan, *, apply_policy: bool, now: datetime):
        self.plan = plan
        self.clinic = plan.clinic
        self.tz = self.clinic.tz
        self.apply_policy = apply_policy
        self.now = now
        # Proposals respect the clinic's notice even for staff: a plan is booked ahead, and a
        # session "in ten minutes" would be no use to the patient.
        self.earliest = now + timedelta(minutes=self.clinic.min_notice_minutes)
        self.preferred_therapist_id = plan.preferred_therapist_id or plan.lead_therapist_id
        self._modalities: dict[int, frozenset[str]] = {}
        self._slots: dict[int, tuple[list[Slot], set[int]]] = {}
        self.commitments = [self._commitment_of(b) for b in self._patient_bookings()]

    # --- facts ------------------------------------------------------------------------------

    def modalities(self, treatment: Treatment) -> frozenset[str]:
        if treatment.pk not in self._modalities:
            self._modalities[treatment.pk] = frozenset(treatment_modalities(treatment))
        return self._modalities[treatment.pk]

    def _patient_bookings(self):
        # A week back is enough for every spacing rule (the longest gap is days, not weeks).
        return Booking.objects.filter(
            patient_id=self.plan.patient_id,
            status__in=ACTIVE_STATUSES,
            end__gte=self.earliest - timedelta(days=7),
        ).select_related("treatment")

    def _commitment_of(self, booking: Booking) -> _Commitment:
        modalities = self.modalities(booking.treatment)
        return _Commitment(
            start=booking.start,
            blocked_start=booking.blocked_start,
            blocked_end=booking.blocked_end,
            modalities=modalities,
            gap=timedelta(hours=default_gap_hours(set(modalities))),
            day=booking.start.astimezone(self.tz).date(),
        )

    def _midnight(self, day: date) -> datetime:
        return local_midnight(day, self.tz)

    def slots(
        self, treatment: Treatment, start: datetime, end: datetime
    ) -> tuple[list[Slot], set[int]]:
        """Free slots of a treatment in [start, end) and the therapists who could give it."""
        found: list[Slot] = []
        therapists: set[int] = set()
        chunk = start
        while chunk < end:
            chunk_end = min(end, chunk + MAX_WINDOW)
            availability = Availability(
                treatment=treatment,
                window_start=chunk,
                window_end=chunk_end,
                patient_id=self.plan.patient_id,
                apply_policy=self.apply_policy,
                now=self.now,
            )
            found.extend(slot for slot in availability.slots() if slot.start >= self.earliest)
            therapists.update(availability.therapist_ids)
            chunk = chunk_end
        return found, therapists

    # --- rules ------------------------------------------------------------------------------

    def _blocked(
        self, treatment: Treatment, start: datetime, end: datetime
    ) -> tuple[datetime, datetime]:
        return start - treatment.buffer_before, end + treatment.buffer_after

    def clash(self, treatment: Treatment, gap: timedelta, start: datetime, end: datetime) -> str:
        """Why the patient cannot have this treatment then ("" when they can)."""
        blocked_start, blocked_end = self._blocked(treatment, start, end)
        modalities = self.modalities(treatment)
        day = start.astimezone(self.tz).date()
        for other in self.commitments:
            if blocked_start < other.blocked_end and other.blocked_start < blocked_end:
                return "The patient has another session then."
            shared = modalities & other.modalities
            needed = max(gap, other.gap)
            if shared and abs(start - other.start) < needed:
                names = ", ".join(Modality(code).label.lower() for code in sorted(shared))
                return f"Sessions of {names} must be at least {_hours(needed)} apart."
            if day == other.day and any(
                frozenset({mine, theirs}) in SEPARATE_DAYS
                for mine in modalities
                for theirs in other.modalities
            ):
                return "Graston and massage are not given on the same day."
        return ""

    def commit(self, treatment: Treatment, gap: timedelta, start: datetime, end: datetime) -> None:
        blocked_start, blocked_end = self._blocked(treatment, start, end)
        self.commitments.append(
            _Commitment(
                start=start,
                blocked_start=blocked_start,
                blocked_end=blocked_end,
                modalities=self.modalities(treatment),
                gap=gap,
                day=start.astimezone(self.tz).date(),
            )
        )

    def _ranking(self, ideal: datetime, therapists: set[int], previous_therapist: int | None):
        """A sort key for candidate slots: preferences met first, then continuity with the
        previous session's therapist, a day without another session, and closeness to the ideal
        time (preferably not before it)."""
        busy_days = {c.day for c in self.commitments}

        def key(slot: Slot):
            local_start = slot.start.astimezone(self.tz)
            local_end = slot.end.astimezone(self.tz)
            misses = self._preference_misses(slot, local_start, local_end, therapists)
            return (
                *misses,
                previous_therapist is not None and slot.therapist_id != previous_therapist,
                local_start.date() in busy_days,
                slot.start < ideal,
                abs(slot.start - ideal),
                slot.therapist_id,
            )

        return key

    def _preference_misses(self, slot: Slot, local_start, local_end, therapists: set[int]):
        plan = self.plan
        therapist_miss = (
            self.preferred_therapist_id in therapists
            and slot.therapist_id != self.preferred_therapist_id
        )
        day_miss = (
            bool(plan.preferred_weekdays) and local_start.weekday() not in plan.preferred_weekdays
        )
        time_miss = (
            plan.preferred_time_from is not None and local_start.time() < plan.preferred_time_from
        ) or (
            plan.preferred_time_to is not None
            and (
                local_end.time() > plan.preferred_time_to or local_end.date() != local_start.date()
            )
        )
        return therapist_miss, day_miss, time_miss

    # --- proposing --------------------------------------------------------------------------

    def _window(
        self, session: PlanSession, overdue: dict[int, int]
    ) -> tuple[int, datetime, datetime, datetime]:
        """The session's plan week, its window [start, end) and the ideal time within it."""
        component = session.component
        week = session.week()
        position = (session.sequence - 1) % component.per_week
        start = self._midnight(self.plan.week_start(week))
        end = self._midnight(self.plan.week_start(week + 1))
        if end <= self.earliest:
            # Its week is over: catch up from now on, per_week sessions a week.
            index = overdue.get(component.pk, 0)
            overdue[component.pk] = index + 1
            position = index % component.per_week
            start = self.earliest + timedelta(weeks=index // component.per_week)
            end = start + timedelta(weeks=1)
            week = (start.astimezone(self.tz).date() - self.plan.start_date).days // 7 + 1
        # Spread the week's sessions evenly from the start of the week (twice a week: start and
        # middle), then move the window's start to the earliest bookable time.
        ideal = start + timedelta(days=(7 * position) // component.per_week)
        return week, max(start, self.earliest), end, max(ideal, self.earliest)

    def _component_slots(self, treatment: Treatment, windows: list[tuple[datetime, datetime]]):
        if treatment.pk not in self._slots:
            start = min(w[0] for w in windows)
            end = max(w[1] for w in windows)
            self._slots[treatment.pk] = self.slots(treatment, start, end)
        return self._slots[treatment.pk]

    def choose(
        self,
        proposed: ProposedSession,
        slots: list[Slot],
        therapists: set[int],
        window,
        ideal,
        previous_therapist: int | None,
    ) -> bool:
        component = proposed.session.component
        treatment, gap = component.treatment, timedelta(hours=component.min_gap_hours)
        start, end = window
        in_window = [slot for slot in slots if start <= slot.start < end]
        fitting = [
            slot for slot in in_window if not self.clash(treatment, gap, slot.start, slot.end)
        ]
        if not fitting:
            local_start = start.astimezone(self.tz)
            local_end = (end - timedelta(minutes=1)).astimezone(self.tz)
            dates = f"{local_start:%a %-d %b} to {local_end:%a %-d %b}"
            if not in_window:
                proposed.problem_code = "no_free_time"
                proposed.problem = (
                    f"No free time for {treatment.name} in week {proposed.week} ({dates})."
                )
            else:
                reason = self.clash(treatment, gap, in_window[0].start, in_window[0].end)
                proposed.problem_code = "spacing"
                proposed.problem = (
                    f"Every free time in week {proposed.week} ({dates}) is too close to the "
                    f"patient's other sessions. {reason}"
                )
            return False
        best = min(fitting, key=self._ranking(ideal, therapists, previous_therapist))
        local_start, local_end = best.start.astimezone(self.tz), best.end.astimezone(self.tz)
        proposed.start, proposed.end = best.start, best.end
        proposed.therapist_id, proposed.room_id = best.therapist_id, best.room_id
        proposed.preferences_met = not any(
            self._preference_misses(best, local_start, local_end, therapists)
        )
        self.commit(treatment, gap, best.start, best.end)
        return True

    def alternatives(
        self, session: PlanSession, start: datetime, end: datetime, ideal: datetime
    ) -> list[Slot]:
        """The best few times for a session in [start, end) that keep every rule."""
        component = session.component
        treatment, gap = component.treatment, timedelta(hours=component.min_gap_hours)
        start = max(start, self.earliest)
        if end <= start:
            return []
        slots, therapists = self.slots(treatment, start, end)
        fitting = [s for s in slots if not self.clash(treatment, gap, s.start, s.end)]
        fitting.sort(key=self._ranking(ideal, therapists, None))
        chosen: list[Slot] = []
        for slot in fitting:
            # One per day reads better than three times on one morning.
            if all(
                slot.start.astimezone(self.tz).date() != c.start.astimezone(self.tz).date()
                for c in chosen
            ):
                chosen.append(slot)
            if len(chosen) == ALTERNATIVES:
                break
        return sorted(chosen, key=lambda slot: slot.start)

    def propose(self, pending: list[PlanSession], *, needling_cleared: bool) -> Schedule:
        overdue: dict[int, int] = {}
        windows = {session.pk: self._window(session, overdue) for session in pending}
        ordered = sorted(
            pending,
            key=lambda s: (windows[s.pk][1], s.component.phase.order, s.component_id, s.sequence),
        )
        by_treatment: dict[int, list[tuple[datetime, datetime]]] = {}
        for session in pending:
            by_treatment.setdefault(session.component.treatment_id, []).append(
                windows[session.pk][1:3]
            )
        previous: dict[int, int] = {}
        proposals = []
        for session in ordered:
            week, start, end, ideal = windows[session.pk]
            proposed = ProposedSession(session=session, week=week)
            proposals.append(proposed)
            treatment = session.component.treatment
            if not needling_cleared and Modality.DRY_NEEDLING in self.modalities(treatment):
                proposed.problem_code = "needling_not_cleared"
                proposed.problem = (
                    "The patient is not cleared for dry needling (screening, precautions or "
                    "consent)."
                )
                continue
            slots, therapists = self._component_slots(treatment, by_treatment[treatment.pk])
            if self.choose(
                proposed, slots, therapists, (start, end), ideal, previous.get(session.component_id)
            ):
                previous[session.component_id] = proposed.therapist_id
            else:
                proposed.alternatives = self.alternatives(
                    session, end, end + ALTERNATIVE_REACH, end
                )
        proposals.sort(
            key=lambda p: (
                p.session.component.phase.order,
                p.session.component_id,
                p.session.sequence,
            )
        )
        return Schedule(self.plan, proposals)

    # --- checking requested times -----------------------------------------------------------

    def check_requested(
        self, requested: list[RequestedSession], pending: dict[int, PlanSession]
    ) -> tuple[Schedule, list[ProposedSession]]:
        """The requested times as proposals, and those that break a rule (with alternatives)."""
        proposals, conflicts = [], []
        for request in sorted(requested, key=lambda r: r.start):
            session = pending[request.session_id]
            component = session.component
            treatment, gap = component.treatment, timedelta(hours=component.min_gap_hours)
            start = request.start
            week = (start.astimezone(self.tz).date() - self.plan.start_date).days // 7 + 1
            proposed = ProposedSession(
                session=session, week=week, start=start, therapist_id=request.therapist_id
            )
            proposals.append(proposed)
            availability = Availability.at(
                start,
                treatment=treatment,
                therapist_id=request.therapist_id,
                patient_id=self.plan.patient_id,
                apply_policy=self.apply_policy,
                now=self.now,
            )
            try:
                slot = availability.check(start, request.therapist_id)
            except DomainError as exc:
                proposed.problem_code, proposed.problem = exc.code, exc.message
                conflicts.append(proposed)
                continue
            problem = self.clash(treatment, gap, slot.start, slot.end)
            if problem:
                proposed.problem_code, proposed.problem = "spacing", problem
                conflicts.append(proposed)
                continue
            proposed.end, proposed.therapist_id, proposed.room_id = (
                slot.end,
                slot.therapist_id,
                slot.room_id,
            )
            local_start, local_end = slot.start.astimezone(self.tz), slot.end.astimezone(self.tz)
            proposed.preferences_met = not any(
                self._preference_misses(
                    slot, local_start, local_end, set(availability.therapist_ids)
                )
            )
            self.commit(treatment, gap, slot.start, slot.end)
        for proposed in conflicts:
            proposed.alternatives = self.alternatives_near(proposed.session, proposed.start)
        return Schedule(self.plan, proposals), conflicts

    def alternatives_near(self, session: PlanSession, wanted: datetime) -> list[Slot]:
        """Alternatives within three days either side of a wanted time."""
        day = wanted.astimezone(self.tz).date()
        return self.alternatives(
            session,
            self._midnight(day - timedelta(days=3)),
            self._midnight(day + timedelta(days=4)),
            wanted,
        )


def _hours(gap: timedelta) -> str:
    hours = int(gap.total_seconds() // 3600)
    return f"{hours} hours"
