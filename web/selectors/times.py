"""Free times for patients and reception, always from booking's availability engine.

A time shown here is one book_session would accept a moment ago: the same engine re-checks it
under the clinic lock when the booking is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby

from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone

from booking.availability import MAX_WINDOW, Availability, Slot, qualified_therapists
from booking.models import (
    Clinic,
    Modality,
    OpeningHours,
    PatientType,
    Therapist,
    Treatment,
    WorkingHours,
    local_midnight,
)


@dataclass(frozen=True)
class TimeChoice:
    """A start time offered to a patient (the therapist is None when "anyone" was asked for)."""

    start: datetime
    local: datetime
    therapist_id: int | None

    @property
    def param(self) -> str:
        return self.local.isoformat()


@dataclass
class DayOfTimes:
    day: date
    times: list[TimeChoice] = field(default_factory=list)
    # Why a day has no times: "closed" (the clinic), "not working" (the chosen therapist) or
    # "full"; a patient who reads "full" on a therapist's day off waits for a cancellation.
    nothing_because: str = "full"


def bookable_clinics() -> QuerySet[Clinic]:
    """Clinics that offer at least one treatment online."""
    return Clinic.objects.filter(
        treatments__is_active=True, treatments__online_bookable=True
    ).distinct()


def in_offer_order(treatments: QuerySet[Treatment]) -> QuerySet[Treatment]:
    """By modality, then first visits before follow-ups (an initial assessment comes before
    the follow-up it leads to, whatever their lengths), then shortest first."""
    visit_order = Case(
        When(patient_type=PatientType.NEW, then=Value(0)),
        When(patient_type=PatientType.ANY, then=Value(1)),
        default=Value(2),
    )
    return treatments.order_by("modality", visit_order, "duration_minutes", "name")


def treatments_by_modality(clinic: Clinic) -> list[tuple[str, list[Treatment]]]:
    """The clinic's online-bookable treatments, grouped under their modality's name."""
    treatments = in_offer_order(
        Treatment.objects.filter(clinic=clinic, is_active=True, online_bookable=True)
    )
    labels = dict(Modality.choices)
    order = list(labels)
    grouped = [(key, list(group)) for key, group in groupby(treatments, key=lambda t: t.modality)]
    grouped.sort(key=lambda pair: order.index(pair[0]) if pair[0] in order else len(order))
    return [(labels.get(key, key), items) for key, items in grouped]


def therapists_offering(treatment: Treatment) -> QuerySet[Therapist]:
    """Active therapists of the treatment's clinic qualified to deliver it."""
    return (
        qualified_therapists(treatment)
        .filter(clinics=treatment.clinic_id, working_hours__clinic=treatment.clinic_id)
        .distinct()
        .order_by("first_name", "last_name")
    )


def _choices(slots: list[Slot], tz, *, any_therapist: bool) -> list[TimeChoice]:
    seen: set = set()
    choices = []
    for slot in slots:
        key = slot.start if any_therapist else (slot.start, slot.therapist_id)
        if key in seen:
            continue
        seen.add(key)
        choices.append(
            TimeChoice(
                slot.start, slot.start.astimezone(tz), None if any_therapist else slot.therapist_id
            )
        )
    return choices


def days_of_times(
    *,
    treatment: Treatment,
    first_day: date,
    days: int = 7,
    therapist_id: int | None = None,
    patient_id: int | None = None,
    exclude_booking_id: int | None = None,
    not_at: datetime | None = None,
    now: datetime | None = None,
) -> list[DayOfTimes]:
    """Bookable start times, day by day on the clinic's calendar, under online-booking policy.

    `not_at` leaves out a start (a booking's current time when moving it: never offered back).
    Each day without times says why (see DayOfTimes.nothing_because).
    """
    tz = treatment.clinic.tz
    availability = Availability(
        treatment=treatment,
        window_start=local_midnight(first_day, tz),
        window_end=local_midnight(first_day + timedelta(days=days), tz),
        therapist_id=therapist_id,
        patient_id=patient_id,
        exclude_booking_id=exclude_booking_id,
        now=now,
    )
    result = {
        first_day + timedelta(days=n): DayOfTimes(first_day + timedelta(days=n))
        for n in range(days)
    }
    for choice in _choices(availability.slots(), tz, any_therapist=therapist_id is None):
        day = result.get(choice.local.date())
        if day is not None and choice.start != not_at:
            day.times.append(choice)
    open_weekdays = set(
        OpeningHours.objects.filter(clinic=treatment.clinic_id).values_list("weekday", flat=True)
    )
    working_weekdays = None
    if therapist_id is not None:
        working_weekdays = set(
            WorkingHours.objects.filter(
                clinic=treatment.clinic_id, therapist=therapist_id
            ).values_list("weekday", flat=True)
        )
    for day in result.values():
        if day.day.weekday() not in open_weekdays:
            day.nothing_because = "closed"
        elif working_weekdays is not None and day.day.weekday() not in working_weekdays:
            day.nothing_because = "not working"
    return list(result.values())


NEXT_FREE_LOOKAHEAD = timedelta(days=28)


def next_free_times(
    *, treatment: Treatment, patient_id: int | None = None, now: datetime | None = None
) -> dict[int, datetime]:
    """{therapist id: their first bookable start} within four weeks, from one engine run.

    Shown on the therapist step so a patient sees who is free soonest before choosing; a
    therapist missing from the result has nothing free in that time.
    """
    tz = treatment.clinic.tz
    today = (now or timezone.now()).astimezone(tz).date()
    start = local_midnight(today, tz)
    availability = Availability(
        treatment=treatment,
        window_start=start,
        window_end=start + NEXT_FREE_LOOKAHEAD,
        patient_id=patient_id,
        now=now,
    )
    first: dict[int, datetime] = {}
    for slot in availability.slots():
        first.setdefault(slot.therapist_id, slot.start)
    return first


def parts_of_day(times: list[TimeChoice]) -> list[tuple[str, list[TimeChoice]]]:
    """Times split into morning, afternoon and evening on the clinic's clock (empty parts left out)."""
    parts: dict[str, list[TimeChoice]] = {"Morning": [], "Afternoon": [], "Evening": []}
    for choice in times:
        hour = choice.local.hour
        parts["Morning" if hour < 12 else "Afternoon" if hour < 17 else "Evening"].append(choice)
    return [(label, items) for label, items in parts.items() if items]


def first_free_day(
    *,
    treatment: Treatment,
    after: date,
    therapist_id: int | None = None,
    patient_id: int | None = None,
    exclude_booking_id: int | None = None,
    now: datetime | None = None,
) -> date | None:
    """The first day after `after` with a bookable time, looking as far as the engine allows."""
    tz = treatment.clinic.tz
    start = local_midnight(after + timedelta(days=1), tz)
    availability = Availability(
        treatment=treatment,
        window_start=start,
        window_end=start + MAX_WINDOW,
        therapist_id=therapist_id,
        patient_id=patient_id,
        exclude_booking_id=exclude_booking_id,
        now=now,
    )
    slots = availability.slots()
    return slots[0].start.astimezone(tz).date() if slots else None


def nearest_times(
    *,
    treatment: Treatment,
    around: datetime,
    therapist_id: int | None = None,
    patient_id: int | None = None,
    exclude_booking_id: int | None = None,
    apply_policy: bool = True,
    not_at: datetime | None = None,
    limit: int = 6,
    now: datetime | None = None,
) -> list[TimeChoice]:
    """The free times closest to `around` (a week either side), in time order.

    Shown when a chosen time was taken meanwhile, so the patient or receptionist can pick again
    without starting over. `not_at` leaves out a start (a booking's current time when moving it).
    """
    availability = Availability(
        treatment=treatment,
        window_start=around - timedelta(days=7),
        window_end=around + timedelta(days=7),
        therapist_id=therapist_id,
        patient_id=patient_id,
        exclude_booking_id=exclude_booking_id,
        apply_policy=apply_policy,
        now=now,
    )
    choices = _choices(
        availability.slots(), treatment.clinic.tz, any_therapist=therapist_id is None
    )
    choices = [choice for choice in choices if choice.start != not_at]
    choices.sort(key=lambda choice: (abs(choice.start - around), choice.start))
    return sorted(choices[:limit], key=lambda choice: choice.start)


def check_time(
    *,
    treatment: Treatment,
    start: datetime,
    therapist_id: int | None = None,
    patient_id: int | None = None,
    exclude_booking_id: int | None = None,
    apply_policy: bool = True,
    now: datetime | None = None,
) -> Slot:
    """The slot at `start`, or the DomainError the booking service would raise for it now."""
    return Availability.at(
        start,
        treatment=treatment,
        therapist_id=therapist_id,
        patient_id=patient_id,
        exclude_booking_id=exclude_booking_id,
        apply_policy=apply_policy,
        now=now,
    ).check(start, therapist_id)
