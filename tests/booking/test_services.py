"""Booking services: the lifecycle rules, and that a refused change writes nothing."""

from datetime import UTC, datetime, timedelta

import pytest

from booking import errors, services
from booking.models import Block, Booking, BookingStatus
from tests.conftest import NOW
from tests.factories import PatientFactory, RoomFactory, TherapistFactory, TreatmentFactory


def at(d: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, d, hour, minute, tzinfo=UTC)


@pytest.fixture
def booking(massage, patient):
    return services.book_session(treatment=massage, start=at(3, 10), patient=patient, now=NOW)


@pytest.mark.django_db
class TestBookSession:
    def test_books_the_slot_with_a_fitting_room_and_buffers(
        self, massage, patient, room, therapist
    ):
        booking = services.book_session(
            treatment=massage, start=at(3, 10), patient=patient, now=NOW
        )
        assert (booking.therapist, booking.room, booking.status, booking.version) == (
            therapist,
            room,
            BookingStatus.CONFIRMED,
            1,
        )
        assert booking.end == at(3, 10, 45)
        assert (booking.blocked_start, booking.blocked_end) == (at(3, 10), at(3, 11))

    def test_a_taken_slot_is_refused_and_nothing_is_written(self, booking, massage):
        with pytest.raises(errors.TherapistBusy):
            services.book_session(
                treatment=massage, start=at(3, 10, 30), patient=PatientFactory(), now=NOW
            )
        assert Booking.objects.count() == 1

    def test_online_rules_apply_to_patients_but_staff_may_override_notice(self, massage, patient):
        with pytest.raises(errors.NoticeTooShort):
            services.book_session(treatment=massage, start=at(1, 10), patient=patient, now=NOW)
        booking = services.book_session(
            treatment=massage, start=at(1, 10), patient=patient, apply_policy=False, now=NOW
        )
        assert booking.start == at(1, 10)

    def test_even_staff_cannot_book_the_past(self, massage, patient):
        with pytest.raises(errors.StartInPast):
            services.book_session(
                treatment=massage, start=at(1, 8), patient=patient, apply_policy=False, now=NOW
            )
        assert not Booking.objects.exists()

    def test_treatments_not_bookable_online_are_refused_to_patients(self, massage, patient):
        massage.online_bookable = False
        massage.save()
        with pytest.raises(errors.TreatmentNotBookable):
            services.book_session(treatment=massage, start=at(3, 10), patient=patient, now=NOW)
        assert services.book_session(
            treatment=massage, start=at(3, 10), patient=patient, apply_policy=False, now=NOW
        )

    def test_new_patient_and_follow_up_treatments(self, clinic, massage, patient):
        assessment = TreatmentFactory(clinic=clinic, name="Initial assessment", patient_type="new")
        follow_up = TreatmentFactory(clinic=clinic, name="Follow-up", patient_type="follow_up")
        with pytest.raises(errors.PatientTypeMismatch):
            services.book_session(treatment=follow_up, start=at(3, 10), patient=patient, now=NOW)
        services.book_session(treatment=assessment, start=at(3, 10), patient=patient, now=NOW)
        with pytest.raises(errors.PatientTypeMismatch):
            services.book_session(treatment=assessment, start=at(4, 10), patient=patient, now=NOW)
        assert services.book_session(treatment=follow_up, start=at(4, 10), patient=patient, now=NOW)

    def test_a_patient_cannot_be_in_two_sessions_at_once(self, clinic, booking, massage, patient):
        TherapistFactory(clinics=[clinic])
        RoomFactory(clinic=clinic)
        with pytest.raises(errors.PatientDoubleBooked):
            services.book_session(treatment=massage, start=at(3, 10, 15), patient=patient, now=NOW)

    def test_a_therapist_working_at_two_clinics_is_not_double_booked_across_them(
        self, other_clinic, booking, therapist, patient
    ):
        therapist.clinics.add(other_clinic)
        RoomFactory(clinic=other_clinic)
        from booking.models import WorkingHours

        WorkingHours.objects.bulk_create(
            WorkingHours(
                therapist=therapist,
                clinic=other_clinic,
                weekday=d,
                starts=booking.start.time(),
                ends=at(3, 20).time(),
            )
            for d in range(7)
        )
        elsewhere = TreatmentFactory(clinic=other_clinic)
        with pytest.raises(errors.TherapistBusy):
            services.book_session(
                treatment=elsewhere, start=at(3, 10), patient=PatientFactory(), now=NOW
            )


@pytest.mark.django_db
class TestReschedule:
    def test_moves_the_booking_keeping_its_identity_and_raising_its_version(self, booking):
        moved = services.reschedule_booking(booking=booking, start=at(4, 14), now=NOW)
        assert (moved.pk, moved.uid, moved.start, moved.version) == (
            booking.pk,
            booking.uid,
            at(4, 14),
            2,
        )
        assert moved.blocked_end == at(4, 15)

    def test_records_who_moved_it(self, booking, receptionist):
        moved = services.reschedule_booking(
            booking=booking, start=at(4, 14), changed_by=receptionist, now=NOW
        )
        assert moved.updated_by == receptionist

    def test_a_named_room_must_be_free_and_fitting(self, clinic, booking, massage, room):
        gym = RoomFactory(clinic=clinic, name="Gym", features=["gym_space"])
        with pytest.raises(errors.NoRoomFree, match="equipment"):
            services.reschedule_booking(booking=booking, start=at(4, 10), room=gym, now=NOW)
        second = RoomFactory(clinic=clinic, name="Room 2")
        other_therapist = TherapistFactory(clinics=[clinic])
        with pytest.raises(errors.NoRoomFree, match="taken"):
            services.book_session(
                treatment=massage, start=at(3, 10), patient=PatientFactory(), room=room, now=NOW
            )
        placed = services.book_session(
            treatment=massage, start=at(3, 10), patient=PatientFactory(), room=second, now=NOW
        )
        assert (placed.room, placed.therapist) == (second, other_therapist)

    def test_a_booking_can_move_into_its_own_old_buffer(self, booking):
        moved = services.reschedule_booking(booking=booking, start=at(3, 10, 15), now=NOW)
        assert moved.start == at(3, 10, 15)

    def test_moving_onto_a_taken_time_changes_nothing(self, booking, massage):
        other = services.book_session(
            treatment=massage, start=at(3, 14), patient=PatientFactory(), now=NOW
        )
        with pytest.raises(errors.TherapistBusy):
            services.reschedule_booking(booking=booking, start=at(3, 14), now=NOW)
        booking.refresh_from_db()
        assert (booking.start, booking.version) == (at(3, 10), 1)
        assert other.start == at(3, 14)

    def test_patients_cannot_move_inside_the_late_window_but_staff_can(self, booking):
        day_before = at(2, 12)
        with pytest.raises(errors.TooLateToChange):
            services.reschedule_booking(booking=booking, start=at(4, 10), now=day_before)
        moved = services.reschedule_booking(
            booking=booking, start=at(4, 10), apply_policy=False, now=day_before
        )
        assert moved.start == at(4, 10)

    def test_a_stale_version_is_refused(self, booking):
        with pytest.raises(errors.VersionConflict):
            services.reschedule_booking(
                booking=booking, start=at(4, 10), expected_version=7, now=NOW
            )

    def test_a_cancelled_booking_cannot_be_moved(self, booking):
        services.cancel_booking(booking=booking, now=NOW)
        with pytest.raises(errors.IllegalTransition):
            services.reschedule_booking(booking=booking, start=at(4, 10), now=NOW)


@pytest.mark.django_db
class TestCancel:
    def test_frees_the_slot_and_records_who_and_why(self, booking, massage, receptionist):
        cancelled = services.cancel_booking(
            booking=booking, cancelled_by=receptionist, reason="illness", now=NOW
        )
        assert (cancelled.status, cancelled.cancellation_reason, cancelled.cancelled_by) == (
            BookingStatus.CANCELLED,
            "illness",
            receptionist,
        )
        assert cancelled.version == 2
        assert not cancelled.is_late_cancellation
        again = services.book_session(
            treatment=massage, start=at(3, 10), patient=PatientFactory(), now=NOW
        )
        assert again.pk != booking.pk

    def test_inside_the_window_it_is_recorded_as_late(self, booking):
        cancelled = services.cancel_booking(booking=booking, now=at(2, 20))
        assert cancelled.is_late_cancellation

    def test_patients_cannot_cancel_a_started_session(self, booking):
        with pytest.raises(errors.TooLateToChange):
            services.cancel_booking(booking=booking, now=at(3, 10, 5))
        assert Booking.objects.get().status == BookingStatus.CONFIRMED

    def test_cancelling_twice_is_refused(self, booking):
        services.cancel_booking(booking=booking, now=NOW)
        with pytest.raises(errors.IllegalTransition):
            services.cancel_booking(booking=booking, now=NOW)


@pytest.mark.django_db
class TestDayOfSession:
    def test_check_in_then_complete(self, booking):
        arrived = services.check_in_booking(booking=booking, now=at(3, 9, 50))
        assert (arrived.status, arrived.checked_in_at, arrived.version) == (
            "arrived",
            at(3, 9, 50),
            2,
        )
        done = services.complete_booking(booking=booking, now=at(3, 10, 50))
        assert (done.status, done.version) == ("completed", 3)

    def test_check_in_only_on_the_day(self, booking):
        with pytest.raises(errors.TooLateToChange):
            services.check_in_booking(booking=booking, now=at(2, 10))

    def test_no_show_only_once_started_and_then_final(self, booking):
        with pytest.raises(errors.TooLateToChange):
            services.mark_no_show(booking=booking, now=at(3, 9))
        assert services.mark_no_show(booking=booking, now=at(3, 10, 20)).status == "no_show"
        with pytest.raises(errors.IllegalTransition):
            services.check_in_booking(booking=booking, now=at(3, 10, 30))


@pytest.mark.django_db
class TestBlocks:
    def test_blocking_over_bookings_is_refused_with_the_bookings_listed(self, booking, therapist):
        with pytest.raises(errors.BlockConflict) as refused:
            services.block_time(therapist=therapist, start=at(3, 9), end=at(3, 12), reason="Course")
        assert refused.value.details == {"bookings": [booking.pk]}
        assert not Block.objects.exists()

    def test_a_free_block_is_saved(self, therapist):
        block = services.block_time(
            therapist=therapist, start=at(3, 9), end=at(3, 12), reason="Course"
        )
        assert Block.objects.get() == block

    def test_a_block_must_end_after_it_starts(self, therapist):
        with pytest.raises(errors.InvalidWindow):
            services.block_time(therapist=therapist, start=at(3, 12), end=at(3, 9))
        assert not Block.objects.exists()

    def test_a_block_naming_a_therapist_and_a_room_checks_and_blocks_both(
        self, clinic, booking, room
    ):
        other = TherapistFactory(clinics=[clinic])
        with pytest.raises(errors.BlockConflict):
            services.block_time(therapist=other, room=room, start=at(3, 9), end=at(3, 12))
        services.block_time(therapist=other, room=room, start=at(4, 9), end=at(4, 12))
        with pytest.raises(errors.NoRoomFree):
            services.book_session(
                treatment=booking.treatment, start=at(4, 10), patient=PatientFactory(), now=NOW
            )

    def test_room_blocks_take_the_room_out(self, room, massage, patient):
        services.block_time(room=room, start=at(3, 9), end=at(3, 12))
        with pytest.raises(errors.NoRoomFree):
            services.book_session(treatment=massage, start=at(3, 10), patient=patient, now=NOW)
        assert timedelta(0) < at(3, 12) - at(3, 9)
