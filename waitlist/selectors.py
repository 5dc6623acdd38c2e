"""Reads of the waiting list: the diary panel, the API, and the offers a freed time made."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Max, Q, QuerySet

from booking.availability import Availability
from booking.models import Booking, Clinic
from booking.selectors import managed_clinic_ids

from .models import WaitlistEntry, WaitlistStatus


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
    return Availability.is_free(
        entry.offered_start,
        treatment=entry.treatment,
        therapist_id=entry.offered_therapist_id,
        patient_id=entry.patient_id,
        apply_policy=False,
        now=now,
    )


def waitlist_signature(clinic: Clinic) -> tuple:
    """Changes whenever an entry is added, offered, booked or removed (part of the diary's ETag)."""
    stats = WaitlistEntry.objects.filter(clinic=clinic).aggregate(
        count=Count("id"),
        changed=Max("updated_at"),
        open=Count("id", filter=Q(status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED])),
        offered=Count("id", filter=Q(status=WaitlistStatus.OFFERED)),
    )
    return tuple(stats.values())


def offers_in_time_freed_by(booking: Booking) -> list[WaitlistEntry]:
    """The entries now holding an offer in the time `booking` held (pass it as it was before).

    The offers themselves are made once, by the time-freed hook when the change committed
    (services.offer_freed_time); the pages only read them back to say who was offered the time.
    """
    return list(
        WaitlistEntry.objects.filter(
            clinic_id=booking.clinic_id,
            status=WaitlistStatus.OFFERED,
            offered_therapist_id=booking.therapist_id,
            offered_start__gte=booking.blocked_start,
            offered_start__lt=booking.blocked_end,
        ).order_by("created_at", "id")
    )


def entries_visible_to(user) -> QuerySet[WaitlistEntry]:
    """Reception and admins see their clinics' waiting lists; a patient sees their own entries."""
    entries = WaitlistEntry.objects.select_related(
        "clinic", "treatment", "therapist", "offered_therapist", "patient"
    )
    if user.is_superuser:
        return entries
    return entries.filter(Q(patient__user=user) | Q(clinic_id__in=managed_clinic_ids(user)))
