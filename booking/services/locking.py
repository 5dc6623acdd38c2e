"""The one way every diary write starts: a short transaction with the clinic's row locked.

Race safety (see docs/decisions/0001-race-safe-booking.md):
1. Each write runs in one short transaction and first locks the clinic's row. Bookings at one
   clinic are therefore serialised: the availability re-check that follows sees every booking
   committed before us. Locking one row in one place cannot deadlock; several clinics (a
   therapist's time off) are locked in one fixed order.
2. The database backs it for every code path: on PostgreSQL, exclusion constraints forbid two
   sessions of one therapist or one room whose buffered times overlap (this also covers a
   therapist who works at two clinics); everywhere, a unique (session, place) index stops two
   patients taking one place. An IntegrityError becomes SlotUnavailable (409).
3. On SQLite every transaction begins IMMEDIATE, so writers queue on the database file.
4. Lock waits are bounded (PostgreSQL lock_timeout, SQLite busy timeout); a timeout is a clean
   409 `slot_busy`, never an overbooking.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from django.db import IntegrityError, OperationalError, connection, transaction

from audit.history import remember_saved_state
from core.api import is_lock_wait

from .. import errors
from ..models import Booking, Clinic


def _lock_clinic(clinic_id: int, *, draw_booking_id: bool = False) -> int | None:
    """Take the clinic's row lock for the rest of the transaction (see module docstring).

    With `draw_booking_id`, the same statement draws the id a new booking is to have from its
    sequence, and returns it: with the id known before anything is written, the booking, its
    history row and its outbox (which all name it) go to the database in one statement
    (docs/decisions/0006). An id drawn for a booking then refused is simply never used.

    Not on SQLite (returns None): there `select_for_update()` is a no-op and the IMMEDIATE
    transaction already holds the database's write lock, so the statement would only cost time;
    the booking's own insert gives its id."""
    if not connection.features.has_select_for_update:
        return None
    drawn = "nextval(pg_get_serial_sequence(%s, %s))" if draw_booking_id else "id"
    params = [Booking._meta.db_table, Booking._meta.pk.column] if draw_booking_id else []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {drawn} FROM {Clinic._meta.db_table} WHERE id = %s FOR UPDATE",  # noqa: S608
            [*params, clinic_id],
        )
        row = cursor.fetchone()
    return row[0] if row and draw_booking_id else None


@contextmanager
def new_booking_write(clinic_id: int) -> Iterator[int | None]:
    """`diary_write` for a new booking at one clinic, yielding the id it is to have (PostgreSQL)
    or None (SQLite: the insert gives it)."""
    with diary_write():
        yield _lock_clinic(clinic_id, draw_booking_id=True)


@contextmanager
def booking_write(booking_id: int) -> Iterator[Booking]:
    """`diary_write` for a change to one existing booking, yielding the booking read afresh.

    One statement locks the booking's clinic and its row and reads it with its treatment,
    clinic, therapist, room and patient (a second reads the treatment's qualifications) (the locked rows are re-read at their newest version
    after any wait, so what the change checks is current). Every other write at that clinic
    waits meanwhile, as with `diary_write`. The booking's current state is noted for its
    change-history entry, so that entry needs no read of the previous one.
    """
    with diary_write():
        booking = (
            Booking.objects.select_for_update(of=("self", "clinic"))
            .select_related("clinic", "treatment", "therapist", "room", "patient")
            # Read by the needling rule and the answer's warnings: once, here.
            .prefetch_related("treatment__required_qualifications")
            .get(pk=booking_id)
        )
        booking.treatment.clinic = booking.clinic  # one clinic, read once
        remember_saved_state(booking)
        yield booking


@contextmanager
def diary_write(*clinic_ids: int) -> Iterator[None]:
    """A transaction with these clinics locked; database conflicts and lock waits become 409s.

    Inside a caller's transaction no transaction or savepoint is opened: the caller's
    transaction is the unit (as "book all of these or none" wants). A rule refusal, raised
    before anything is written, then leaves it usable, which `atomic(savepoint=False)` would
    not (Django marks the outer block for rollback on any exception); a database conflict
    marks it for rollback. Outside one, `atomic()` begins here (BEGIN IMMEDIATE on SQLite, so
    the wait for the write lock is inside the `try`) and commits at the end of the block.
    """
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic() if outermost else nullcontext():
            for clinic_id in sorted(set(clinic_ids)):
                _lock_clinic(clinic_id)
            yield
    except (IntegrityError, OperationalError) as exc:
        if not outermost:
            transaction.set_rollback(True)
        _raise_as_conflict(exc)
        raise


def _raise_as_conflict(exc: IntegrityError | OperationalError) -> None:
    """Raise the 409 a slot race or a lock wait means; return for any other database error."""
    if isinstance(exc, IntegrityError):
        message = _slot_conflict_message(exc)
        if message:
            raise errors.SlotUnavailable(message) from exc
    elif is_lock_wait(exc):
        raise errors.SlotBusy() from exc


# The database rules that mean "someone else took this slot" (PostgreSQL names the constraint;
# SQLite names the columns of the unique index). Any other IntegrityError is a bug, not a race,
# and is left to surface as one.
_SLOT_CONFLICTS = {
    "booking_therapist_no_overlap": "The therapist was just booked at that time.",
    "booking_room_no_overlap": "The room was just booked at that time.",
    "booking_one_patient_per_place": "That place was just taken.",
    "booking_booking.session_key, booking_booking.place": "That place was just taken.",
}


def _slot_conflict_message(exc: IntegrityError) -> str | None:
    text = str(exc)
    return next((message for name, message in _SLOT_CONFLICTS.items() if name in text), None)
