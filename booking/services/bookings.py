"""Every write to a booking that carries a rule: book, move, cancel, check in, no-show, complete.

Each runs inside `diary_write` (locking.py: the clinic locked, conflicts as 409s) and re-checks
the slot under that lock with the same engine that lists availability.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from audit.history import new_record_rows
from core.users import acting_user
from notifications import services as notifications

from .. import errors, events
from ..availability import Availability
from ..eligibility import check_patient_may_book
from ..models import (
    STATUS_TRANSITIONS,
    Booking,
    BookingStatus,
    Channel,
    Patient,
    PatientType,
    Room,
    Therapist,
    Treatment,
)
from ..notification_directory import appointment_of
from ..selectors import is_late_cancellation, late_window_opens
from .locking import booking_write, new_booking_write


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

    Eligibility (`check_patient_may_book`, booking/eligibility.py) runs first, for staff too:
    the dry-needling safety rule, `plans.services.safety.check_needling_booking`, refuses a
    needling treatment for a patient not cleared for it on that day (NeedlingNotCleared, 400).

    `treatment` should come with its clinic and required qualifications loaded
    (`treatment_for_booking`), and `patient` loaded: the write path then costs the clinic lock
    (which on PostgreSQL also draws the booking's id), one availability query, and one
    statement writing the booking, its history row and its outbox (SQLite: several).
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

    with new_booking_write(treatment.clinic_id) as booking_id:
        availability = Availability.at(
            start,
            treatment=treatment,
            therapist_id=therapist.pk if therapist else None,
            patient_id=patient.pk,
            apply_policy=apply_policy,
            now=now,
        )
        slot = availability.check(
            start, therapist.pk if therapist else None, room.pk if room else None
        )
        booking = Booking(
            pk=booking_id,
            clinic=treatment.clinic,
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
            created_by=acting_user(booked_by),
            updated_by=acting_user(booked_by),
            notes=notes,
        )
        if booking_id is None:
            # SQLite: the insert gives the id; simple-history's save signal writes the history.
            booking.save(force_insert=True)
            written_with = ()
        else:
            # PostgreSQL: the booking and its history row go into the outbox's one statement.
            written_with = new_record_rows(booking)
        # Same transaction: the confirmation and reminders exist exactly when the booking does.
        notifications.notify_booking_confirmed(
            appointment=_appointment(booking, availability), now=now, written_with=written_with
        )
    return booking


def _appointment(booking: Booking, availability: Availability | None = None):
    """The booking for notifications, its names from rows already loaded (no query)."""
    therapist_name = room_name = None
    if availability is not None:
        therapist_name = availability.therapist_names.get(booking.therapist_id)
        room_name = availability.room_names.get(booking.room_id)
    # Read from the booking's own rows when the re-check did not name them (a change with no
    # re-check, or a place in a group session whose therapist or room it did not list).
    if therapist_name is None:
        therapist_name = booking.therapist.full_name
    if room_name is None:
        room_name = booking.room.name
    return appointment_of(booking, therapist_name=therapist_name, room_name=room_name)


def _next_version(booking: Booking) -> None:
    """Raise the version: the row is locked (booking_write), so the value read is current."""
    booking.version += 1


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
    with booking_write(booking.pk) as booking:
        check_patient_may_book(
            treatment=booking.treatment,
            patient=booking.patient,
            start=start,
            apply_policy=apply_policy,
        )
        _check_version(booking, expected_version)
        if booking.status != BookingStatus.CONFIRMED:
            raise errors.IllegalTransition(
                f"A {booking.get_status_display().lower()} booking cannot be moved."
            )
        clinic = booking.clinic
        if apply_policy:
            if booking.start <= now:
                raise errors.TooLateToChange("This session has already started.")
            if now > late_window_opens(booking.start, clinic):
                raise errors.TooLateToChange(
                    f"Sessions cannot be moved online within {clinic.late_cancellation_hours} hours "
                    "of the start; please call the clinic."
                )
        availability = Availability.at(
            start,
            treatment=booking.treatment,
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
        booking.updated_by = acting_user(changed_by)
        _next_version(booking)
        booking.save()
        notifications.notify_booking_rescheduled(
            appointment=_appointment(booking, availability), now=now
        )
        if (before.therapist_id, before.start, before.end) != (
            booking.therapist_id,
            booking.blocked_start,
            booking.blocked_end,
        ):
            events.time_freed(before)
    return booking


def _change_status(
    booking: Booking, to: str, expected_version: int | None, changed_by=None, **fields
) -> Booking:
    """Move a booking locked by `booking_write` to status `to`, if the transition is allowed."""
    _check_version(booking, expected_version)
    if to not in STATUS_TRANSITIONS[booking.status]:
        raise errors.IllegalTransition(
            f"A {booking.get_status_display().lower()} booking cannot become "
            f"{BookingStatus(to).label.lower()}."
        )
    booking.status = to
    booking.updated_by = acting_user(changed_by)
    for name, value in fields.items():
        setattr(booking, name, value)
    _next_version(booking)
    booking.save()
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
    tell_patient: bool = True,
) -> Booking:
    """Cancel a booking, freeing its therapist, room and place at once.

    A cancellation closer to the start than the clinic's window is recorded as late (it is still
    allowed). With `apply_policy` (patients) a session that has started cannot be cancelled.
    `tell_patient=False` writes no cancellation message (a patient whose data is being erased).
    """
    now = now or timezone.now()
    with booking_write(booking.pk) as locked:
        clinic = locked.clinic
        if apply_policy and locked.start <= now and locked.status == BookingStatus.CONFIRMED:
            raise errors.TooLateToChange(
                "This session has already started; please call the clinic."
            )
        late = is_late_cancellation(locked, clinic=clinic, now=now)
        cancelled = _change_status(
            locked,
            BookingStatus.CANCELLED,
            expected_version,
            changed_by=cancelled_by,
            cancelled_at=now,
            cancelled_by=acting_user(cancelled_by),
            cancellation_reason=reason,
            cancellation_note=note,
            is_late_cancellation=late,
        )
        notifications.notify_booking_cancelled(
            appointment=_appointment(cancelled), now=now, tell_patient=tell_patient
        )
        if cancelled.end > now:
            events.time_freed(events.freed_time_of(cancelled))
        return cancelled


def check_in_booking(
    *, booking: Booking, changed_by=None, expected_version: int | None = None, now=None
) -> Booking:
    """Mark the patient as arrived. Only on the day of the session, before it ends."""
    now = now or timezone.now()
    with booking_write(booking.pk) as locked:
        tz = locked.clinic.tz
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
    """Record that the patient did not attend: from the start plus the clinic's grace period
    (Clinic.no_show_grace_minutes), since patients running a few minutes late still come."""
    now = now or timezone.now()
    with booking_write(booking.pk) as locked:
        from_ = locked.no_show_from
        if locked.status == BookingStatus.CONFIRMED and now < from_:
            local = from_.astimezone(locked.clinic.tz)
            raise errors.TooLateToChange(
                f"A no-show can be recorded from {local:%H:%M}, "
                f"{locked.clinic.no_show_grace_minutes} minutes after the start."
            )
        return _change_status(locked, BookingStatus.NO_SHOW, expected_version, changed_by)


def complete_booking(
    *, booking: Booking, changed_by=None, expected_version: int | None = None, now=None
) -> Booking:
    """Record that the session took place. Only once it has started."""
    now = now or timezone.now()
    with booking_write(booking.pk) as locked:
        if locked.status in (BookingStatus.CONFIRMED, BookingStatus.ARRIVED) and now < locked.start:
            raise errors.TooLateToChange("A session can only be completed once it has started.")
        return _change_status(locked, BookingStatus.COMPLETED, expected_version, changed_by)
