"""Domain errors of the diary. Each has a stable code; the API renders them in one shape."""

from rest_framework import status

from core.api import DomainError


class BookingRuleBroken(DomainError):
    """Bad input or a broken booking rule: 400."""

    code = "booking_rule_broken"


class StartInPast(BookingRuleBroken):
    code = "start_in_past"
    default_message = "That time has already passed."


class NoticeTooShort(BookingRuleBroken):
    code = "notice_too_short"


class BeyondHorizon(BookingRuleBroken):
    code = "beyond_booking_horizon"


class OffGrid(BookingRuleBroken):
    code = "start_not_on_slot_grid"


class TherapistNotQualified(BookingRuleBroken):
    code = "therapist_not_qualified"


class TreatmentNotBookable(BookingRuleBroken):
    code = "treatment_not_bookable"


class PatientTypeMismatch(BookingRuleBroken):
    code = "patient_type_mismatch"


class WindowTooLong(BookingRuleBroken):
    code = "window_too_long"


class InvalidWindow(BookingRuleBroken):
    code = "invalid_window"


class SlotConflict(DomainError):
    """The slot cannot be had: 409, with a reason code."""

    code = "slot_unavailable"
    http_status = status.HTTP_409_CONFLICT
    default_message = "That time is not available."


class SlotUnavailable(SlotConflict):
    code = "slot_unavailable"
    default_message = "That time was just taken."


class OutsideWorkingHours(SlotConflict):
    code = "outside_working_hours"


class ClinicClosed(SlotConflict):
    code = "clinic_closed"


class TherapistBusy(SlotConflict):
    code = "therapist_busy"


class NoRoomFree(SlotConflict):
    code = "no_room_free"


class ClassFull(SlotConflict):
    code = "class_full"


class PatientDoubleBooked(SlotConflict):
    code = "patient_double_booked"


class SlotBusy(SlotConflict):
    code = "slot_busy"
    default_message = "Someone else is booking at this clinic right now; please try again."


class BlockConflict(SlotConflict):
    code = "block_conflicts_with_bookings"


class IllegalTransition(DomainError):
    code = "illegal_transition"
    http_status = status.HTTP_409_CONFLICT


class VersionConflict(DomainError):
    code = "version_conflict"
    http_status = status.HTTP_409_CONFLICT
    default_message = "The booking was changed by someone else; reload it and try again."


class TooLateToChange(DomainError):
    code = "too_late_to_change"
    http_status = status.HTTP_409_CONFLICT


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    http_status = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_message = "This Idempotency-Key was already used with a different request body."


class HasFutureBookings(DomainError):
    """Deactivating a therapist or room that still has patients booked: 409, with the list."""

    code = "has_future_bookings"
    http_status = status.HTTP_409_CONFLICT
