"""Reads of the waiting list for the diary panel."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Max, Q

from booking.availability import Availability
from booking.models import Clinic
from core.api import DomainError

from ..models import WaitlistEntry, WaitlistStatus


def open_waitlist(clinic: Clinic) -> list[WaitlistEntry]:
    """A clinic's open entries: those holding an offer first, then the longest waiting."""
    entries = (
        WaitlistEntry.objects.filter(
            clinic=clinic, status__in=[WaitlistStatus.OFFERED, WaitlistStatus.WAITING]
        )
        .select_related("patient", "treatment", "therapist", "offered_therapist")
        .order_by("created_at", "id")
    )
    return sorted(entries, key=lambda entry: entry.status != WaitlistStatus.OFFERED)


def offer_is_still_free(entry: WaitlistEntry, *, now: datetime | None = None) -> bool:
    """Whether the slot offered to an entry can still be booked at the desk."""
    if entry.offered_start is None or entry.offered_therapist_id is None:
        return False
    try:
        Availability(
            treatment=entry.treatment,
            window_start=entry.offered_start,
            window_end=entry.offered_start + timedelta(minutes=1),
            therapist_id=entry.offered_therapist_id,
            patient_id=entry.patient_id,
            apply_policy=False,
            now=now,
        ).check(entry.offered_start, entry.offered_therapist_id)
    except DomainError:  # any refusal means "not free"; booking it shows the reason
        return False
    return True


def waitlist_signature(clinic: Clinic) -> tuple:
    """Changes whenever an entry is added, offered, booked or removed (part of the diary's ETag)."""
    stats = WaitlistEntry.objects.filter(clinic=clinic).aggregate(
        count=Count("id"),
        changed=Max("updated_at"),
        open=Count("id", filter=Q(status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED])),
        offered=Count("id", filter=Q(status=WaitlistStatus.OFFERED)),
    )
    return tuple(stats.values())
