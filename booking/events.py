"""Diary changes other apps react to, without booking importing them.

When a cancellation or a move frees a therapist's time, the listeners added with
`booking.extensions.on_time_freed` (the waiting list, from WaitlistConfig.ready()) are told
after the change commits, whichever path made it: the API, the pages, the admin or a plan. A
listener that fails is logged and never undoes or fails the change (on_commit, robust=True).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.db import transaction

from .extensions import EXTENSIONS


@dataclass(frozen=True)
class FreedTime:
    """The therapist's time a booking held (buffers included) before it was cancelled or moved."""

    clinic_id: int
    therapist_id: int
    room_id: int
    start: datetime
    end: datetime


def freed_time_of(booking) -> FreedTime:
    """The time `booking` holds now (take it before moving the booking)."""
    return FreedTime(
        clinic_id=booking.clinic_id,
        therapist_id=booking.therapist_id,
        room_id=booking.room_id,
        start=booking.blocked_start,
        end=booking.blocked_end,
    )


def time_freed(freed: FreedTime) -> None:
    """Call inside the transaction that frees the time; listeners hear of it after commit."""
    for listener in EXTENSIONS.time_freed_listeners:
        transaction.on_commit(partial(listener, freed), robust=True)
