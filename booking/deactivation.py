"""Deactivating a therapist or room that patients are still booked with.

Deactivation hides them from new bookings but keeps every existing booking (the diary still
shows them). Those bookings usually need moving, so the API refuses until the caller confirms
having seen the list, and the admin saves and then lists them.
"""

from __future__ import annotations

from django.utils import timezone

from .errors import HasFutureBookings
from .models import Room, Therapist
from .selectors import future_bookings_of

LISTED = 50  # the warning names this many; the count covers them all


def describe_future_bookings(resource: Therapist | Room) -> tuple[int, list[dict]]:
    """(how many, the first LISTED as {id, start, clinic, patient, treatment}) in clinic time."""
    bookings = future_bookings_of(resource)
    listed = []
    for booking in bookings[:LISTED]:
        start = timezone.localtime(booking.start, booking.clinic.tz)
        listed.append(
            {
                "id": booking.pk,
                "start": start.isoformat(),
                "when": f"{start:%a} {start.day} {start:%b %Y %H:%M}",
                "clinic": booking.clinic.name,
                "patient": booking.patient.full_name,
                "treatment": booking.treatment.name,
            }
        )
    return bookings.count(), listed


def require_confirmed_deactivation(resource: Therapist | Room, *, confirmed: bool) -> None:
    """Raise HasFutureBookings (409, listing them) unless the caller confirmed or there are none."""
    if confirmed:
        return
    count, listed = describe_future_bookings(resource)
    if not count:
        return
    name = resource.full_name if isinstance(resource, Therapist) else resource.name
    raise HasFutureBookings(
        f"{name} still has {count} booking{'s' if count != 1 else ''} to come; move or cancel "
        "them, or send confirm=true to deactivate anyway (the bookings are kept).",
        details={"count": count, "bookings": listed},
    )
