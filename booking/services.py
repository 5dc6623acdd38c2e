"""Every write to the diary that carries a rule: book, move, cancel, check in, no-show, block.

Race safety (see docs/decisions/0001-race-safe-booking.md):
1. Each write runs in one short transaction and first locks the clinic's row. Bookings at one
   clinic are therefore serialised: the availability re-check below sees every booking committed
   before us. Locking one row in one place cannot deadlock.
2. The slot is re-checked under that lock with the same engine that lists availability.
3. The database backs it for every code path: on PostgreSQL, exclusion constraints forbid two
   sessions of one therapist or one room whose buffered times overlap (this also covers a
   therapist who works at two clinics); everywhere, a unique (session, place) index stops two
   patients taking one place. An IntegrityError becomes SlotUnavailable (409).
4. On SQLite every transaction begins IMMEDIATE, so writers queue on the database file.
5. Lock waits are bounded (PostgreSQL lock_timeout, SQLite busy timeout); a timeout is a clean
   409 `slot_busy`, never an overbooking.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.api import is_lock_wait
from notifications import services as notifications

from . import errors, events
from .availability import Availability
from .eligibility import check_patient_may_book
from .models import (
    STATUS_TRANSITIONS,
    Block,
    Booking,
    BookingStatus,
    Channel,
    Clinic,
    Patient,
    PatientType,
    Room,
    Therapist,
    Treatment,
)


def _lock_clinic(clinic_id: int) -> None:
    """Take the clinic's row lock for the rest of the transaction (see module docstring)."""
    list(Clinic.objects.select_for_update().filter(pk=clinic_id).values_list("pk"))


class _diary_write:
    """Context manager: a transaction with the clinic locked; DB conflicts become 409s.

    Inside a caller's transaction it opens no savepoint (the caller's transaction is the unit,
    as "book all of these or none" wants): a rule refusal, raised before anything is written,
    leaves the caller's transaction usable; a database conflict marks it for rollback.
    """

    def __init__(self, *clinic_ids: int):
        # Several clinics (a therapist's time off) are locked in one fixed order: no deadlock.
        self.clinic_ids = sorted(set(clinic_ids))
        self.atomic = None

    def __enter__(self):
        if not connection.in_atomic_block:
            atomic = transaction.atomic()
            try:
                # On SQLite this is BEGIN IMMEDIATE: the wait for the write lock happens here.
                atomic.__enter__()
            except OperationalError as exc:
                _reraise_as_conflict(exc)
                raise
            self.atomic = atomic
        try:
            for clinic_id in self.clinic_ids:
                _lock_clinic(clinic_id)
        except BaseException as exc:
            self.__exit__(type(exc), exc, exc.__traceback__)
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        if self.atomic is None:
            if isinstance(exc, (IntegrityError, OperationalError)):
                transaction.set_rollback(True)
        else:
            try:
                self.atomic.__exit__(exc_type, exc, tb)
            except (IntegrityError, OperationalError) as commit_error:
                _reraise_as_conflict(commit_error)
                raise
        if exc is not None:
            _reraise_as_conflict(exc)
        return False


def _reraise_as_conflict(exc: BaseException) -> None:
    if isinstance(exc, IntegrityError):
        message = _slot_conflict_message(exc)
        if message:
            raise errors.SlotUnavailable(message) from exc
    if isinstance(exc, OperationalError) and is_lock_wait(exc):
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


def _check_version(booking: Booking, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != booking.version:
        raise errors.VersionConflict(
            f"The booking is at version {booking.version}, not {expected_version}; reload it."
        )


def _check_patient_type(treatment: Treatment, patient: Patient, exclude_booking_id=None) -> None:
    if treatment.patient_type == PatientType.ANY:
        return
    seen_before = (
        Booking.objects.filter(patient=patient, clinic_id=treatment.clinic_id)
        .exclude(status=BookingStatus.CANCELLED)
        .exclude(pk=exclude_booking_id)
        .exists()
    )
    if treatment.patient_type == PatientType.NEW and seen_before:
        raise errors.PatientTypeMismatch(
            f"{treatment.name} is for new patients; book a follow-up instead."
        )
    if treatment.patient_type == PatientType.FOLLOW_UP and not seen_before:
        raise errors.PatientTypeMismatch(
            f"{treatment.name} is for returning patients; book an assessment first."
        )


def book_session(
    *,
    treatment: Treatment,
    start: datetime,
    patient: Patient,
    booked_by=None,
    channel: str = Channel.RECEPTION,
    therapist: Therapist | None = None,
    room: Room | None = None,
    apply_policy: bool = True,
    notes: str = "",
    now: datetime | None = None,
) -> Booking:
    """Book `patient` into `treatment` at `start`, with `therapist` or any qualified one
    (and in `room` if given, else the first fitting free room).

    Guarantees: the booking exists only if the therapist is qualified and at work, a room with
    the needed features is free, buffers are kept, the patient has no other session then and,
    with `apply_policy`, notice/horizon/online-bookable/patient-type rules hold. Two concurrent
    calls for one slot never both succeed. Raises a BookingRuleBroken (400) or SlotConflict (409)
    subclass and writes nothing on failure. Not idempotent: each successful call books a place.
    """
    if not treatment.is_active:
        raise errors.TreatmentNotBookable(f"{treatment.name} is no longer offered.")
    if apply_policy and not treatment.online_bookable:
        raise errors.TreatmentNotBookable(f"{treatment.name} can only be booked by the clinic.")
    if apply_policy:
        _check_patient_type(treatment, patient)
    check_patient_may_book(
        treatment=treatment, patient=patient, start=start, apply_policy=apply_policy
    )
    now = now or timezone.now()

    with _diary_write(treatment.clinic_id):
        availability = Availability(
            treatment=treatment,
            window_start=start,
            window_end=start + timedelta(minutes=1),
            therapist_id=therapist.pk if therapist else None,
            patient_id=patient.pk,
            apply_policy=apply_policy,
            now=now,
        )
        slot = availability.check(
            start, therapist.pk if therapist else None, room.pk if room else None
        )
        booking = Booking.objects.create(
            clinic_id=treatment.clinic_id,
            patient=patient,
            treatment=treatment,
            therapist_id=slot.therapist_id,
            room_id=slot.room_id,
            start=slot.start,
            end=slot.end,
            blocked_start=slot.start - treatment.buffer_before,
            blocked_end=slot.end + treatment.buffer_after,
            session_key=availability.session_key(slot),
            place=availability.free_place(slot),
            capacity=slot.capacity,
            channel=channel,
            created_by=_user(booked_by),
            updated_by=_user(booked_by),
            notes=notes,
        )
        # Same transaction: the confirmation and reminders exist exactly when the booking does.
        notifications.notify_booking_confirmed(booking=booking, now=now)
    return booking


def _locked_booking(booking_id: int) -> Booking:
    return (
        Booking.objects.select_for_update().select_related("treatment__clinic").get(pk=booking_id)
    )


def reschedule_booking(
    *,
    booking: Booking,
    start: datetime,
    changed_by=None,
    therapist: Therapist | None = None,
    room: Room | None = None,
    apply_policy: bool = True,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Booking:
    """Move a confirmed booking to `start` (and `therapist`/`room`, if given), keeping its identity.

    Without a therapist the current one is kept when free, else any qualified therapist; without
    a room the first fitting free room is taken.
    The version rises by one. With `apply_policy` a patient cannot move a booking that is
    already inside the late-cancellation window. Raises like `book_session`; changes nothing on
    failure.
    """
    now = now or timezone.now()
    check_patient_may_book(
        treatment=booking.treatment, patient=booking.patient, start=start, apply_policy=apply_policy
    )
    with _diary_write(booking.clinic_id):
        booking = _locked_booking(booking.pk)
        _check_version(booking, expected_version)
        if booking.status != BookingStatus.CONFIRMED:
            raise errors.IllegalTransition(
                f"A {booking.get_status_display().lower()} booking cannot be moved."
            )
        clinic = booking.treatment.clinic
        if apply_policy:
            if booking.start <= now:
                raise errors.TooLateToChange("This session has already started.")
            if booking.start - now < timedelta(hours=clinic.late_cancellation_hours):
                raise errors.TooLateToChange(
                    f"Sessions cannot be moved online within {clinic.late_cancellation_hours} hours "
                    "of the start; please call the clinic."
                )
        availability = Availability(
            treatment=booking.treatment,
            window_start=start,
            window_end=start + timedelta(minutes=1),
            therapist_id=therapist.pk if therapist else None,
            patient_id=booking.patient_id,
            apply_policy=apply_policy,
            exclude_booking_id=booking.pk,
            now=now,
        )
        room_id = room.pk if room else None
        if therapist is not None:
            slot = availability.check(start, therapist.pk, room_id)
        else:
            try:
                slot = availability.check(start, booking.therapist_id, room_id)
            except errors.SlotConflict:
                slot = availability.check(start, None, room_id)
        treatment = booking.treatment
        before = events.freed_time_of(booking)
        booking.therapist_id = slot.therapist_id
        booking.room_id = slot.room_id
        booking.start, booking.end = slot.start, slot.end
        booking.blocked_start = slot.start - treatment.buffer_before
        booking.blocked_end = slot.end + treatment.buffer_after
        booking.session_key = availability.session_key(slot)
        booking.place = availability.free_place(slot)
        booking.capacity = slot.capacity
        booking.updated_by = _user(changed_by)
        booking.version = F("version") + 1
        booking.save()
        booking.refresh_from_db(fields=["version", "updated_at"])
        notifications.notify_booking_rescheduled(booking=booking, now=now)
        if (before.therapist_id, before.start, before.end) != (
            booking.therapist_id,
            booking.blocked_start,
            booking.blocked_end,
        ):
            events.time_freed(before)
    return booking


def _user(user):
    """A saved user or None (anonymous callers and system jobs record no one)."""
    return user if getattr(user, "pk", None) else None


def _change_status(
    booking: Booking, to: str, expected_version: int | None, changed_by=None, **fields
) -> Booking:
    booking = _locked_booking(booking.pk)
    _check_version(booking, expected_version)
    if to not in STATUS_TRANSITIONS[booking.status]:
        raise errors.IllegalTransition(
            f"A {booking.get_status_display().lower()} booking cannot become "
            f"{BookingStatus(to).label.lower()}."
        )
    booking.status = to
    booking.updated_by = _user(changed_by)
    for name, value in fields.items():
        setattr(booking, name, value)
    booking.version = F("version") + 1
    booking.save()
    booking.refresh_from_db(fields=["version", "updated_at"])
    return booking


def cancel_booking(
    *,
    booking: Booking,
    cancelled_by=None,
    reason: str = "",
    note: str = "",
    apply_policy: bool = True,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Booking:
    """Cancel a booking, freeing its therapist, room and place at once.

    A cancellation closer to the start than the clinic's window is recorded as late (it is still
    allowed). With `apply_policy` (patients) a session that has started cannot be cancelled.
    """
    now = now or timezone.now()
    with _diary_write(booking.clinic_id):
        locked = _locked_booking(booking.pk)
        clinic = locked.treatment.clinic
        if apply_policy and locked.start <= now and locked.status == BookingStatus.CONFIRMED:
            raise errors.TooLateToChange(
                "This session has already started; please call the clinic."
            )
        late = now < locked.start and locked.start - now < timedelta(
            hours=clinic.late_cancellation_hours
        )
        cancelled = _change_status(
            locked,
            BookingStatus.CANCELLED,
            expected_version,
            changed_by=cancelled_by,
            cancelled_at=now,
            cancelled_by=_user(cancelled_by),
            cancellation_reason=reason,
            cancellation_note=note,
            is_late_cancellation=late,
        )
        notifications.notify_booking_cancelled(booking=cancelled, now=now)
        if cancelled.end > now:
            events.time_freed(events.freed_time_of(cancelled))
        return cancelled


def check_in_booking(
    *, booking: Booking, changed_by=None, expected_version: int | None = None, now=None
) -> Booking:
    """Mark the patient as arrived. Only on the day of the session, before it ends."""
    now = now or timezone.now()
    with _diary_write(booking.clinic_id):
        locked = _locked_booking(booking.pk)
        tz = locked.treatment.clinic.tz
        if locked.status == BookingStatus.CONFIRMED:
            if now.astimezone(tz).date() != locked.start.astimezone(tz).date():
                raise errors.TooLateToChange(
                    "Patients can only be checked in on the day of their session."
                )
            if now >= locked.end:
                raise errors.TooLateToChange(
                    "This session has already ended; mark it completed or a no-show."
                )
        return _change_status(
            locked, BookingStatus.ARRIVED, expected_version, changed_by, checked_in_at=now
        )


def mark_no_show(
    *, booking: Booking, changed_by=None, expected_version: int | None = None, now=None
) -> Booking:
    """Record that the patient did not attend. Only once the session has started."""
    now = now or timezone.now()
    with _diary_write(booking.clinic_id):
        locked = _locked_booking(booking.pk)
        if locked.status == BookingStatus.CONFIRMED and now < locked.start:
            raise errors.TooLateToChange(
                "A no-show can only be recorded once the session has started."
            )
        return _change_status(locked, BookingStatus.NO_SHOW, expected_version, changed_by)


def complete_booking(
    *, booking: Booking, changed_by=None, expected_version: int | None = None, now=None
) -> Booking:
    """Record that the session took place. Only once it has started."""
    now = now or timezone.now()
    with _diary_write(booking.clinic_id):
        locked = _locked_booking(booking.pk)
        if locked.status in (BookingStatus.CONFIRMED, BookingStatus.ARRIVED) and now < locked.start:
            raise errors.TooLateToChange("A session can only be completed once it has started.")
        return _change_status(locked, BookingStatus.COMPLETED, expected_version, changed_by)


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
    lock_clinic = clinic or (room.clinic if room else None)
    clinic_ids = (
        [lock_clinic.pk] if lock_clinic else list(therapist.clinics.values_list("pk", flat=True))
    )
    with _diary_write(*clinic_ids):
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
            created_by=_user(created_by),
        )
