"""The availability engine: what can be booked, and why not."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking import errors, services
from booking.availability import Availability, fitting_rooms, qualified_therapists
from booking.models import Block, Booking, OpeningHours, WorkingHours
from tests.conftest import NOW
from tests.factories import PatientFactory, RoomFactory, TherapistFactory, TreatmentFactory


def day(d: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2027, 3, d, hour, minute, tzinfo=UTC)


def slots(treatment, start, end, **kwargs):
    kwargs.setdefault("now", NOW)
    return Availability(treatment=treatment, window_start=start, window_end=end, **kwargs).slots()


def starts(found) -> list[str]:
    return [slot.start.strftime("%H:%M") for slot in found]


@pytest.mark.django_db
class TestSlots:
    def test_a_free_day_offers_every_step_that_fits_in_working_hours(self, massage):
        found = slots(massage, day(2), day(3))
        # 08:00 .. 19:15 every 15 minutes (a 45-minute session must end by 20:00).
        assert starts(found)[0] == "08:00"
        assert starts(found)[-1] == "19:15"
        assert len(found) == 46
        assert {slot.end - slot.start for slot in found} == {timedelta(minutes=45)}

    def test_a_booking_blocks_its_time_and_its_buffers(self, massage, patient):
        services.book_session(treatment=massage, start=day(2, 10), patient=patient, now=NOW)
        found = starts(slots(massage, day(2), day(3)))
        # The booking holds 10:00-11:00 (45 min + 15 min after). A new one (45 + 15 after)
        # may end its buffer at 10:00, so 09:00 is the last start before and 11:00 the first after.
        assert "09:00" in found
        assert "09:15" not in found
        assert "10:45" not in found
        assert "11:00" in found

    def test_notice_and_horizon_apply_to_patients_not_to_staff(self, massage):
        today = slots(massage, day(1), day(2))
        assert starts(today)[0] == "11:00"  # now is 09:00, two hours' notice
        staff_today = slots(massage, day(1), day(2), apply_policy=False)
        assert starts(staff_today)[0] == "09:00"
        far = NOW + timedelta(days=91)
        assert slots(massage, far, far + timedelta(days=1)) == []
        assert slots(massage, far, far + timedelta(days=1), apply_policy=False)

    def test_unqualified_therapists_and_rooms_without_features_offer_nothing(self, clinic, massage):
        TherapistFactory(clinics=[clinic], qualifications=["taping"])
        needling = TreatmentFactory(
            clinic=clinic,
            name="Dry needling",
            modality="dry_needling",
            required_qualifications=["dry_needling"],
            required_room_features=["needling_approved"],
        )
        found = slots(needling, day(2), day(3))
        assert {slot.therapist_id for slot in found} == {
            massage.clinic.therapists.get(first_name="Tess").pk
        }
        gym_class = TreatmentFactory(
            clinic=clinic, name="Gym", required_room_features=["gym_space"]
        )
        assert slots(gym_class, day(2), day(3)) == []

    def test_the_sql_and_the_selectors_agree_on_qualified_therapists_and_fitting_rooms(
        self, clinic, massage
    ):
        """The engine's SQL and qualified_therapists()/fitting_rooms() state one rule each."""
        TherapistFactory(clinics=[clinic], qualifications=["taping"])
        TherapistFactory(clinics=[clinic], qualifications=["dry_needling", "taping"])
        TherapistFactory(clinics=[clinic], qualifications=[])
        RoomFactory(clinic=clinic, features=["couch", "needling_approved"])
        RoomFactory(clinic=clinic, features=["needling_approved"])
        RoomFactory(clinic=clinic, features=["couch", "needling_approved"], is_active=False)
        for required, features in (
            ([], []),
            (["taping"], ["couch"]),
            (["dry_needling", "taping"], ["couch", "needling_approved"]),
            (["iastm"], ["gym_space"]),
        ):
            treatment = TreatmentFactory(
                clinic=clinic,
                required_qualifications=required,
                required_room_features=features,
            )
            engine = Availability(treatment=treatment, window_start=day(2), window_end=day(3))
            qualified = qualified_therapists(treatment).filter(clinics=clinic)
            assert engine.therapist_ids == sorted(qualified.values_list("pk", flat=True))
            fitting = fitting_rooms(treatment).order_by("name")
            assert engine.room_ids == list(fitting.values_list("pk", flat=True))

    def test_therapist_blocks_room_blocks_and_clinic_closures_remove_slots(
        self, clinic, massage, therapist, room
    ):
        Block.objects.create(therapist=therapist, start=day(2, 8), end=day(2, 12))
        assert starts(slots(massage, day(2), day(3)))[0] == "12:00"
        Block.objects.create(room=room, start=day(2, 12), end=day(2, 14))
        assert starts(slots(massage, day(2), day(3)))[0] == "14:00"
        Block.objects.create(clinic=clinic, start=day(2), end=day(3))
        assert slots(massage, day(2), day(3)) == []

    def test_a_second_room_keeps_the_therapist_bookable_only_when_the_therapist_is_free(
        self, clinic, massage, patient, therapist
    ):
        RoomFactory(clinic=clinic, name="Room 2")
        other = TherapistFactory(clinics=[clinic])
        services.book_session(
            treatment=massage, start=day(2, 10), patient=patient, therapist=therapist, now=NOW
        )
        at_ten = [slot for slot in slots(massage, day(2, 10), day(2, 10, 1))]
        assert [slot.therapist_id for slot in at_ten] == [other.pk]
        assert at_ten[0].room_id != Booking.objects.get().room_id

    def test_opening_hours_bound_working_hours(self, clinic, massage):
        OpeningHours.objects.filter(clinic=clinic, weekday=1).update(
            opens=time(12), closes=time(14)
        )
        assert starts(slots(massage, day(2), day(3))) == [
            "12:00",
            "12:15",
            "12:30",
            "12:45",
            "13:00",
            "13:15",
        ]

    def test_group_class_shows_places_left_and_fills_before_a_new_session_opens(
        self, clinic, therapist
    ):
        RoomFactory(clinic=clinic, name="Gym", features=["gym_space"])
        group = TreatmentFactory(
            clinic=clinic,
            name="Rehab class",
            modality="exercise_rehab",
            capacity=3,
            required_qualifications=["sports_massage"],
            required_room_features=["gym_space"],
            buffer_after_minutes=0,
            duration_minutes=60,
        )
        first = services.book_session(
            treatment=group, start=day(2, 18), patient=PatientFactory(clinic=clinic), now=NOW
        )
        at_six = slots(group, day(2, 18), day(2, 18, 1))
        assert [(slot.places_left, slot.capacity) for slot in at_six] == [(2, 3)]
        second = services.book_session(
            treatment=group, start=day(2, 18), patient=PatientFactory(clinic=clinic), now=NOW
        )
        assert (second.session_key, second.place) == (first.session_key, 2)
        services.book_session(
            treatment=group, start=day(2, 18), patient=PatientFactory(clinic=clinic), now=NOW
        )
        assert slots(group, day(2, 18), day(2, 18, 1)) == []
        with pytest.raises(errors.ClassFull):
            services.book_session(
                treatment=group, start=day(2, 18), patient=PatientFactory(clinic=clinic), now=NOW
            )

    def test_a_patient_is_not_offered_times_when_they_are_already_booked(
        self, clinic, massage, patient
    ):
        RoomFactory(clinic=clinic, name="Room 2")
        TherapistFactory(clinics=[clinic])
        services.book_session(treatment=massage, start=day(2, 10), patient=patient, now=NOW)
        mine = slots(massage, day(2, 10), day(2, 10, 1), patient_id=patient.pk)
        assert mine == []
        assert len(slots(massage, day(2, 10), day(2, 10, 1))) == 1


@pytest.mark.django_db
class TestClockChanges:
    """UK clocks: forward at 01:00 UTC on Sun 28 March 2027, back at 01:00 UTC on Sun 31 October."""

    @pytest.fixture
    def night_shift(self, clinic, therapist, massage):
        OpeningHours.objects.filter(clinic=clinic).update(opens=time(0), closes=time(4))
        WorkingHours.objects.filter(therapist=therapist).update(starts=time(0), ends=time(4))
        massage.duration_minutes, massage.buffer_after_minutes = 30, 0
        massage.save()
        clinic.slot_step_minutes = 30
        clinic.save()
        return massage

    def test_no_slot_in_the_spring_forward_gap(self, night_shift):
        found = slots(night_shift, day(28, 0), day(28, 6), now=day(1), apply_policy=False)
        local = [slot.start.astimezone(night_shift.clinic.tz).strftime("%H:%M%z") for slot in found]
        # 00:00-04:00 local is three real hours: no 01:00 or 01:30 local (they do not exist).
        assert local == [
            "00:00+0000",
            "00:30+0000",
            "02:00+0100",
            "02:30+0100",
            "03:00+0100",
            "03:30+0100",
        ]

    def test_autumn_overlap_offers_each_instant_once(self, night_shift):
        start, end = datetime(2027, 10, 30, 22, tzinfo=UTC), datetime(2027, 10, 31, 6, tzinfo=UTC)
        found = slots(night_shift, start, end, now=day(1), apply_policy=False)
        instants = [slot.start for slot in found]
        assert len(instants) == len(set(instants)) == 10  # five real hours, every 30 minutes
        local = [slot.start.astimezone(night_shift.clinic.tz).strftime("%H:%M%z") for slot in found]
        assert local[:6] == [
            "00:00+0100",
            "00:30+0100",
            "01:00+0100",
            "01:30+0100",
            "01:00+0000",
            "01:30+0000",
        ]

    def test_summer_hours_follow_the_local_clock(self, massage):
        june = datetime(2027, 6, 1, tzinfo=UTC)
        found = slots(massage, june, june + timedelta(days=1), now=day(1), apply_policy=False)
        assert found[0].start.astimezone(massage.clinic.tz).strftime("%H:%M%z") == "08:00+0100"
        assert found[0].start == datetime(2027, 6, 1, 7, tzinfo=UTC)


@pytest.mark.django_db
class TestQueryCount:
    def test_queries_do_not_grow_with_the_range_or_the_number_of_therapists(
        self, clinic, massage, patient
    ):
        services.book_session(treatment=massage, start=day(2, 10), patient=patient, now=NOW)

        def count(days: int) -> int:
            with CaptureQueriesContext(connection) as queries:
                found = slots(massage, day(2), day(2) + timedelta(days=days))
            assert found
            return len(queries)

        one_day_one_therapist = count(1)
        for _ in range(5):
            TherapistFactory(clinics=[clinic])
            RoomFactory(clinic=clinic)
        assert count(30) == one_day_one_therapist == 1


@pytest.mark.django_db
class TestCheck:
    def test_explains_why_a_time_cannot_be_booked(self, clinic, massage, therapist, patient):
        availability = Availability(
            treatment=massage, window_start=day(2), window_end=day(3), now=NOW
        )
        with pytest.raises(errors.StartInPast):
            availability.check(day(1, 8))
        with pytest.raises(errors.NoticeTooShort):
            availability.check(day(1, 10))
        with pytest.raises(errors.OffGrid):
            availability.check(day(2, 10, 5))
        with pytest.raises(errors.ClinicClosed):
            availability.check(day(2, 21))
        services.book_session(treatment=massage, start=day(2, 10), patient=patient, now=NOW)
        with pytest.raises(errors.TherapistBusy):
            Availability(treatment=massage, window_start=day(2), window_end=day(3), now=NOW).check(
                day(2, 10, 30)
            )

    def test_an_unqualified_therapist_is_named_as_such(self, clinic, massage):
        taper = TherapistFactory(clinics=[clinic], qualifications=["taping"], first_name="Tim")
        availability = Availability(
            treatment=massage,
            window_start=day(2),
            window_end=day(3),
            therapist_id=taper.pk,
            now=NOW,
        )
        with pytest.raises(errors.TherapistNotQualified, match="Tim"):
            availability.check(day(2, 10), taper.pk)

    def test_the_window_is_bounded(self, massage):
        with pytest.raises(errors.WindowTooLong):
            Availability(
                treatment=massage,
                window_start=day(1),
                window_end=day(1) + timedelta(days=63),
                now=NOW,
            )
        with pytest.raises(errors.InvalidWindow):
            Availability(treatment=massage, window_start=day(2), window_end=day(1), now=NOW)
