"""Blocking time: a therapist away, a room out of use, a clinic closed."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from core.users import acting_user

from .. import errors
from ..models import Block, Booking, BookingStatus, Clinic, Room, Therapist
from ..selectors import block_clinic_ids
from .locking import diary_write


def block_time(
    *,
    start: datetime,
    end: datetime,
    clinic: Clinic | None = None,
    therapist: Therapist | None = None,
    room: Room | None = None,
    reason: str = "",
    created_by=None,
) -> Block:
    """Block time for a therapist, a room, or a whole clinic (closure).

    Refused with 409 `block_conflicts_with_bookings` (listing them) when active bookings fall in
    the time: those must be moved or cancelled first, never silently overwritten.
    """
    if end <= start:
        raise errors.InvalidWindow("A block must end after it starts.")
    if therapist is None and room is None and clinic is None:
        raise errors.BookingRuleBroken("Say what to block: a therapist, a room or a clinic.")
    clinic_ids = block_clinic_ids(
        clinic_id=clinic.pk if clinic else None, room=room, therapist=therapist
    )
    with diary_write(*clinic_ids):
        clashing = Booking.objects.filter(
            status__in=[BookingStatus.CONFIRMED, BookingStatus.ARRIVED],
            start__lt=end,
            end__gt=start,
        )
        if therapist is not None or room is not None:
            subject = Q(pk__in=[])
            if therapist is not None:
                subject |= Q(therapist=therapist)
            if room is not None:
                subject |= Q(room=room)
            clashing = clashing.filter(subject)
        else:
            clashing = clashing.filter(clinic=clinic)
        clash_ids = list(clashing.values_list("pk", flat=True)[:50])
        if clash_ids:
            raise errors.BlockConflict(
                f"{len(clash_ids)} booking(s) fall in that time; move or cancel them first.",
                details={"bookings": clash_ids},
            )
        return Block.objects.create(
            clinic=clinic
            if therapist is None and room is None
            else (room.clinic if room else clinic),
            therapist=therapist,
            room=room,
            start=start,
            end=end,
            reason=reason,
            created_by=acting_user(created_by),
        )
