"""Quick answers the diary page asks for: is anyone working at a clicked time, and has anything
the diary draws changed since it was drawn."""

from __future__ import annotations

import hashlib
from datetime import date, time, timedelta

from django.db.models import Count, Max, Q, Sum

from booking.models import Block, Booking, Clinic, OpeningHours, Therapist, WorkingHours
from waitlist.selectors import waitlist_signature

from ..selectors import local_midnight


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


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
    version), its patient's or plan's details changed, block added or removed, or waiting-list
    change alters it.
    """
    tz = clinic.tz
    start = local_midnight(first_day, tz)
    end = local_midnight(first_day + timedelta(days=days), tz)
    # A list, not a subquery: "clinic = x OR therapist IN (list)" is two index scans on
    # PostgreSQL, while "OR therapist IN (subquery)" read every booking of the network.
    therapist_ids = list(Therapist.objects.filter(clinics=clinic).values_list("pk", flat=True))
    bookings = Booking.objects.filter(
        Q(clinic=clinic) | Q(therapist__in=therapist_ids), start__lt=end, end__gt=start
    ).aggregate(
        count=Count("id"),
        changed=Max("updated_at"),
        versions=Sum("version"),
        # What the bookings' cards show from other rows: a patient's new phone number, a plan
        # activated or closed. Joined into this one aggregate, not a query of its own.
        patients=Max("patient__updated_at"),
        plans=Max("plan_session__plan__updated_at"),
    )
    blocks = Block.objects.filter(
        Q(clinic=clinic) | Q(therapist__in=therapist_ids) | Q(room__clinic=clinic),
        start__lt=end,
        end__gt=start,
    ).aggregate(count=Count("id"), changed=Max("created_at"), last=Max("id"))
    parts = [*bookings.values(), *blocks.values()]
    parts.extend(waitlist_signature(clinic))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]
