"""Feed content: valid RFC 5545 read back by two independent parsers, privacy, DST, stability."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
import vobject

from booking import services as booking_services
from notifications import services
from notifications.directory import FeedKind, FeedOwner
from notifications.models import CalendarEntry, ClinicNotificationSettings, FeedDetail
from tests.factories import PatientFactory, RoomFactory, TherapistFactory
from tests.notifications.conftest import WEDNESDAY_10

pytestmark = pytest.mark.usefixtures("frozen_now")
LONDON = ZoneInfo("Europe/London")


def feed_of(kind, owner_id, clinic_id):
    (feed,) = services.ensure_feeds([FeedOwner(kind, owner_id, clinic_id, f"{kind} {owner_id}")])
    return feed


def therapist_feed(therapist, clinic):
    return feed_of(FeedKind.THERAPIST, therapist.pk, clinic.pk)


def parse_both(body: bytes):
    """The feed as read by icalendar and by vobject; both must accept it."""
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar.errors == []
    assert all(component.errors == [] for component in calendar.walk())
    other = vobject.readOne(body.decode("utf-8"))
    return calendar, other


def test_a_therapist_feed_is_valid_and_read_the_same_by_two_parsers(book, therapist, clinic):
    first = book(notes="Left knee pain, query meniscus")
    second = book(start=WEDNESDAY_10 + timedelta(days=1))
    body = services.build_feed(therapist_feed(therapist, clinic)).body
    calendar, other = parse_both(body)

    assert "METHOD" not in calendar
    assert calendar["VERSION"] == "2.0"
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in body
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    events = calendar.walk("VEVENT")
    entries = {e.booking_id: e for e in CalendarEntry.objects.all()}
    assert [str(e["UID"]) for e in events] == [
        str(entries[first.pk].uid),
        str(entries[second.pk].uid),
    ]
    assert [e.decoded("DTSTART") for e in events] == [first.start, second.start]
    assert [v.dtstart.value for v in other.vevent_list] == [first.start, second.start]
    assert [v.uid.value for v in other.vevent_list] == [str(e["UID"]) for e in events]
    for event, booking in zip(events, (first, second), strict=True):
        assert event["SEQUENCE"] == 0
        assert event["STATUS"] == "CONFIRMED"
        assert event["CLASS"] == "PRIVATE"
        assert event.decoded("DTSTAMP") == booking.updated_at.replace(microsecond=0)
        assert str(event["SUMMARY"]) == "PJ – Sports massage"
    # Every time is UTC; no TZID, no VTIMEZONE to get wrong.
    assert b"TZID" not in body
    assert b"VTIMEZONE" not in body
    assert all(
        t.endswith("Z")
        for t in re.findall(rb"^DT(?:START|END|STAMP):(\S+)\r$", body, re.M)
        for t in [t.decode()]
    )
    assert b"knee" not in body.lower()
    assert b"meniscus" not in body.lower()


def test_uids_are_random_and_reveal_nothing(book, therapist, clinic, patient):
    booking = book()
    body = services.build_feed(therapist_feed(therapist, clinic)).body
    (uid,) = re.findall(rb"^UID:(\S+)\r$", body, re.M)[1:]  # [0] is the calendar's own UID
    assert re.fullmatch(
        rb"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", uid
    )
    assert str(booking.pk).encode() not in uid.split(b"-")
    assert uid != str(booking.uid).encode()
    assert b"@" not in uid


def test_the_same_data_gives_the_same_bytes(book, therapist, clinic):
    book()
    book(start=WEDNESDAY_10 + timedelta(hours=2))
    feed = therapist_feed(therapist, clinic)
    first, second = services.build_feed(feed), services.build_feed(feed)
    assert first.body == second.body
    assert first.etag == second.etag


def test_a_move_raises_sequence_and_a_cancellation_stays_until_the_start(
    book, therapist, clinic, receptionist
):
    booking = book()
    feed = therapist_feed(therapist, clinic)
    booking = booking_services.reschedule_booking(
        booking=booking,
        start=WEDNESDAY_10 + timedelta(hours=1),
        changed_by=receptionist,
        apply_policy=False,
    )
    (event,) = icalendar.Calendar.from_ical(services.build_feed(feed).body).walk("VEVENT")
    assert (event["SEQUENCE"], event.decoded("DTSTART")) == (1, WEDNESDAY_10 + timedelta(hours=1))

    booking_services.cancel_booking(booking=booking, cancelled_by=receptionist, apply_policy=False)
    feed.refresh_from_db()
    kept = services.build_feed(feed)
    (event,) = icalendar.Calendar.from_ical(kept.body).walk("VEVENT")
    assert (event["SEQUENCE"], event["STATUS"]) == (2, "CANCELLED")
    with time_machine.travel(booking.start, tick=False):
        gone = services.build_feed(feed)
    assert icalendar.Calendar.from_ical(gone.body).walk("VEVENT") == []
    assert gone.last_modified == booking.start  # dropping the event is a change too
    assert kept.valid_until == booking.start  # the cached copy expires when it drops


@pytest.mark.parametrize(
    ("detail", "summary"),
    [
        (FeedDetail.TIME_ONLY, "Appointment"),
        (FeedDetail.INITIALS, "Appointment: PJ"),
        (FeedDetail.INITIALS_AND_TREATMENT, "PJ – Sports massage"),
    ],
)
def test_staff_feeds_show_what_the_clinic_allows(book, therapist, clinic, detail, summary):
    services.save_clinic_settings(
        clinic=ClinicNotificationSettings(clinic_id=clinic.pk, feed_detail=detail)
    )
    book()
    for feed in (therapist_feed(therapist, clinic), feed_of(FeedKind.CLINIC, clinic.pk, clinic.pk)):
        body = services.build_feed(feed).body
        (event,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
        assert str(event["SUMMARY"]) == summary
        assert b"Jones" not in body
        assert b"Pat " not in body


def test_changing_the_privacy_setting_changes_the_feed_revision(therapist, clinic):
    feed = therapist_feed(therapist, clinic)
    services.save_clinic_settings(
        clinic=ClinicNotificationSettings(clinic_id=clinic.pk, feed_detail=FeedDetail.TIME_ONLY)
    )
    revision = feed.revision
    feed.refresh_from_db()
    assert feed.revision == revision + 1


def test_each_feed_shows_its_owners_bookings_only(book, therapist, clinic, room, patient, massage):
    other_room = RoomFactory(clinic=clinic, name="Room 2")
    colleague = TherapistFactory(first_name="Cole", last_name="League", clinics=[clinic])
    someone_else = PatientFactory(clinic=clinic, first_name="Sam", last_name="Other")
    mine = book()
    theirs = book(therapist=colleague, patient=someone_else)  # Room 1 is taken: Room 2
    assert (mine.room_id, theirs.room_id) == (room.pk, other_room.pk)

    def booking_starts(feed):
        return len(icalendar.Calendar.from_ical(services.build_feed(feed).body).walk("VEVENT"))

    assert booking_starts(therapist_feed(therapist, clinic)) == 1
    assert booking_starts(therapist_feed(colleague, clinic)) == 1
    assert booking_starts(feed_of(FeedKind.ROOM, other_room.pk, clinic.pk)) == 1
    assert booking_starts(feed_of(FeedKind.CLINIC, clinic.pk, clinic.pk)) == 2
    patient_body = services.build_feed(feed_of(FeedKind.PATIENT, patient.pk, None)).body
    (event,) = icalendar.Calendar.from_ical(patient_body).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Appointment at Derby Physio"
    assert "Tess Physio" in str(event["DESCRIPTION"])


def test_past_appointments_leave_after_a_month(book, therapist, clinic):
    booking = book()
    feed = therapist_feed(therapist, clinic)
    with time_machine.travel(booking.end + timedelta(days=30), tick=False):
        assert len(icalendar.Calendar.from_ical(services.build_feed(feed).body).walk("VEVENT")) == 1
    with time_machine.travel(booking.end + timedelta(days=31, seconds=1), tick=False):
        assert icalendar.Calendar.from_ical(services.build_feed(feed).body).walk("VEVENT") == []


def test_times_are_right_across_both_2027_clock_changes(book, therapist, clinic, massage):
    """09:00 in London before, on and after each change, read back by both parsers.

    Spring forward is Sunday 28 March 2027 and fall back Sunday 31 October 2027, each at 01:00 UTC.
    """
    local_nine = [
        datetime(2027, 3, 27, 9, tzinfo=LONDON),  # Saturday, GMT
        datetime(2027, 3, 28, 9, tzinfo=LONDON),  # the change day, BST
        datetime(2027, 3, 29, 9, tzinfo=LONDON),  # Monday, BST
        datetime(2027, 10, 30, 9, tzinfo=LONDON),  # Saturday, BST
        datetime(2027, 10, 31, 9, tzinfo=LONDON),  # the change day, GMT
        datetime(2027, 11, 1, 9, tzinfo=LONDON),  # Monday, GMT
    ]
    for start in local_nine:
        book(start=start.astimezone(UTC))
    # A session in the repeated hour: 01:30 GMT, the second 01:30 of the night (fold=1).
    # Bookings are not taken at night, so it is written as an entry directly.
    second_half_thirty = datetime(2027, 10, 31, 1, 30, fold=1, tzinfo=LONDON)
    entry = CalendarEntry.objects.first()
    CalendarEntry.objects.create(
        booking_id=10**9,
        clinic_id=clinic.pk,
        therapist_id=therapist.pk,
        room_id=entry.room_id,
        patient_id=entry.patient_id,
        status="confirmed",
        version=1,
        start=second_half_thirty,
        end=second_half_thirty + timedelta(minutes=45),
        updated_at=entry.updated_at,
        treatment_name="Sports massage",
        therapist_name="Tess Physio",
        room_name="Room 1",
        clinic_name="Derby Physio",
        patient_initials="PJ",
    )

    with time_machine.travel(datetime(2027, 3, 20, tzinfo=UTC), tick=False):
        body = services.build_feed(therapist_feed(therapist, clinic)).body
    calendar, other = parse_both(body)
    starts_ical = [event.decoded("DTSTART") for event in calendar.walk("VEVENT")]
    starts_vobject = [event.dtstart.value for event in other.vevent_list]
    assert starts_ical == starts_vobject
    assert [s.isoformat() for s in starts_ical] == [
        "2027-03-27T09:00:00+00:00",
        "2027-03-28T08:00:00+00:00",
        "2027-03-29T08:00:00+00:00",
        "2027-10-30T08:00:00+00:00",
        "2027-10-31T01:30:00+00:00",  # not 00:30: the GMT 01:30, after the clocks went back
        "2027-10-31T09:00:00+00:00",
        "2027-11-01T09:00:00+00:00",
    ]
    local = [s.astimezone(LONDON) for s in starts_ical]
    assert [t.strftime("%d %b %H:%M %Z") for t in local] == [
        "27 Mar 09:00 GMT",
        "28 Mar 09:00 BST",
        "29 Mar 09:00 BST",
        "30 Oct 09:00 BST",
        "31 Oct 01:30 GMT",
        "31 Oct 09:00 GMT",
        "01 Nov 09:00 GMT",
    ]
