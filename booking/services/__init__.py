"""Every write to the diary that carries a rule: book, move, cancel, check in, no-show, block.

- locking.py: `diary_write`, the transaction with the clinic locked that every write runs in
  (the race-safety design is in its docstring);
- bookings.py: book, reschedule, cancel and the day-of-session status changes;
- blocks.py: time off, rooms out of use and clinic closures.

Callers import from here (`from booking import services`).
"""

from .blocks import block_time
from .bookings import (
    book_session,
    cancel_booking,
    check_in_booking,
    complete_booking,
    mark_no_show,
    reschedule_booking,
)

__all__ = [
    "block_time",
    "book_session",
    "cancel_booking",
    "check_in_booking",
    "complete_booking",
    "mark_no_show",
    "reschedule_booking",
]
