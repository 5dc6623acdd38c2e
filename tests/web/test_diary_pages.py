"""Reception's diary: who may see it, what it draws, and every change made from it."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Block, Booking, BookingStatus, Modality, Patient
from plans import services as plans
from tests.conftest import NOW
from tests.factories import PatientFactory, RoomFactory, TherapistFactory, TreatmentFactory
from waitlist.models import WaitlistStatus
from waitlist.services import add_to_waitlist

FRAGMENT = {"HTTP_X_FRAGMENT": "1"}


def text_of(html: str) -> str:
    """The page's text as read out, tags removed."""
    return re.sub(r"<[^>]+>", "", html)


@pytest.fixture
def rhea(browser_for, receptionist, frozen_now):
    return browser_for(receptionist)


# --- who sees what --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reception_sees_the_day_with_a_column_per_therapist(
    rhea, massage, patient, book, frozen_now
):
    TherapistFactory(first_name="Theo", last_name="Stone", clinics=[massage.clinic])
    book(massage, patient, "2027-03-01T10:00")
    page = rhea.get("/diary/derby/?date=2027-03-01").content.decode()
    assert "Monday 1 March 2027" in page
    assert page.count('class="diary-col') == 2
    assert 'aria-label="Tess Physio, Monday 1 March"' in page
    assert 'aria-label="Theo Stone, Monday 1 March"' in page
    # What a screen reader says is the visible text plus hidden words, never a different label.
    assert "10:00 to 10:45: Pat Jones, Sports massage · Room 1, Confirmed" in text_of(page)
    # 10:00 is 120 minutes below the 08:00 top of the grid.
    assert "--at: 120; --len: 45" in page


@pytest.mark.django_db
def test_week_view_by_room_draws_seven_days_of_room_columns(
    rhea, massage, patient, book, frozen_now
):
    RoomFactory(clinic=massage.clinic, name="Gym")
    room = book(massage, patient, "2027-03-03T10:00").room
    other = "Gym" if room.name == "Room 1" else "Room 1"
    page = rhea.get(f"/diary/derby/?date=2027-03-03&view=week&room={room.pk}").content.decode()
    assert f"{room.name}, week of 1 March 2027" in page
    assert page.count('class="diary-col') == 7
    assert page.count(f'data-room="{room.pk}"') == 7
    assert f'aria-label="{room.name}, Sunday 7 March"' in page
    assert f'aria-label="{other},' not in page
    assert "Pat Jones" in page


@pytest.mark.django_db
def test_blocks_and_closed_time_are_shaded(rhea, massage, therapist, receptionist, frozen_now):
    Block.objects.create(
        therapist=therapist,
        start=datetime(2027, 3, 1, 12, tzinfo=UTC),
        end=datetime(2027, 3, 1, 13, tzinfo=UTC),
        reason="Lunch",
    )
    page = rhea.get("/diary/derby/?date=2027-03-01").content.decode()
    assert "Blocked: Lunch, 12:00– to 13:00" in text_of(page)
    assert (
        '<div class="open" data-at="0" data-len="720" style="--at: 0; --len: 720"></div>' in page
    )  # working 08:00-20:00


@pytest.mark.django_db
def test_a_receptionist_of_another_clinic_sees_nothing(
    browser_for, other_receptionist, massage, patient, book, frozen_now
):
    booking = book(massage, patient, "2027-03-01T10:00")
    rory = browser_for(other_receptionist)
    for url in (
        "/diary/derby/",
        "/diary/derby/changes/",
        f"/diary/derby/bookings/{booking.pk}/",
        "/diary/derby/patients/?q=Pat",
        "/diary/derby/waiting-list/",
    ):
        response = rory.get(url)
        assert response.status_code == 403, url
        assert "Pat Jones" not in response.content.decode()
    # Nor through their own clinic's diary.
    assert rory.get(f"/diary/nottingham/bookings/{booking.pk}/").status_code == 404
    response = rory.post(f"/diary/derby/bookings/{booking.pk}/cancel/", {"version": "1"})
    assert response.status_code == 403
    assert Booking.objects.get().status == BookingStatus.CONFIRMED


@pytest.mark.django_db
def test_signed_out_users_are_asked_to_sign_in(browser_for, clinic):
    assert browser_for(None).get("/diary/derby/")["Location"] == "/sign-in/?next=/diary/derby/"


@pytest.mark.django_db
def test_a_therapist_is_sent_to_their_own_day(browser_for, therapist):
    assert browser_for(therapist.user).get("/diary/")["Location"] == "/therapist/"


# --- bookings -------------------------------------------------------------------------------------


def desk_booking(massage, **fields):
    data = {
        "treatment": massage.pk,
        "therapist": "",
        "date": "2027-03-01",
        "time": "11:00",
        "channel": "phone",
        "notes": "",
        "back": "/diary/derby/?date=2027-03-01",
    }
    data.update(fields)
    return data


@pytest.mark.django_db
def test_reception_books_an_existing_patient_from_a_dialog(rhea, massage, patient, frozen_now):
    response = rhea.post(
        "/diary/derby/bookings/new/", desk_booking(massage, patient=patient.pk), **FRAGMENT
    )
    assert response.json() == {
        "ok": True,
        "message": "Booked Pat Jones for Sports massage on Mon 1 Mar 11:00 with Tess Physio.",
    }
    booking = Booking.objects.get()
    assert booking.start == datetime(2027, 3, 1, 11, tzinfo=UTC)
    assert booking.channel == "phone"


@pytest.mark.django_db
def test_clicking_in_a_room_column_books_into_that_room(
    rhea, massage, patient, clinic, room, frozen_now
):
    second = RoomFactory(clinic=clinic, name="Room 2")
    dialog = rhea.get(f"/diary/derby/bookings/new/?date=2027-03-01&time=11:00&room={second.pk}")
    assert f'<option value="{second.pk}" selected>' in dialog.content.decode()
    response = rhea.post(
        "/diary/derby/bookings/new/",
        desk_booking(massage, patient=patient.pk, room=second.pk),
        **FRAGMENT,
    )
    assert response.json()["ok"] is True
    assert Booking.objects.get().room == second


@pytest.mark.django_db
def test_reception_adds_a_new_patient_inline_while_booking(rhea, massage, frozen_now):
    response = rhea.post(
        "/diary/derby/bookings/new/",
        desk_booking(
            massage, new_first_name="Ravi", new_last_name="Shah", new_phone="07700 900456"
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == "/diary/derby/?date=2027-03-01"
    assert Booking.objects.get().patient == Patient.objects.get(
        first_name="Ravi", phone="+447700900456"
    )


@pytest.mark.django_db
def test_a_conflict_is_refused_with_the_reason_and_nearest_times_and_nothing_written(
    rhea, massage, patient, book, frozen_now
):
    book(massage, patient, "2027-03-01T11:00")
    response = rhea.post(
        "/diary/derby/bookings/new/",
        desk_booking(massage, new_first_name="Ravi", new_last_name="Shah"),
        **FRAGMENT,
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Every qualified therapist is booked then." in page
    assert 'name="start_choice" value="2027-03-01T12:00:00+00:00"' in page
    assert Booking.objects.count() == 1
    assert not Patient.objects.filter(first_name="Ravi").exists()


@pytest.mark.django_db
def test_choosing_an_offered_time_books_it(rhea, massage, patient, book, frozen_now):
    book(massage, PatientFactory(clinic=massage.clinic), "2027-03-01T11:00")
    response = rhea.post(
        "/diary/derby/bookings/new/",
        desk_booking(massage, patient=patient.pk, start_choice="2027-03-01T12:00:00+00:00"),
        **FRAGMENT,
    )
    assert response.json()["ok"] is True
    assert Booking.objects.get(patient=patient).start == datetime(2027, 3, 1, 12, tzinfo=UTC)


@pytest.mark.django_db
def test_the_search_button_lists_patients_and_books_nothing(rhea, massage, patient, frozen_now):
    response = rhea.post(
        "/diary/derby/bookings/new/", desk_booking(massage, patient_search="jon", search="1")
    )
    assert f'value="{patient.pk}"' in response.content.decode()
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_patient_search_finds_this_clinics_patients_only(
    rhea, massage, patient, other_clinic, frozen_now
):
    PatientFactory(clinic=other_clinic, first_name="Pat", last_name="Elsewhere")
    found = rhea.get("/diary/derby/patients/?q=pat").json()["patients"]
    assert [p["name"] for p in found] == ["Pat Jones"]


@pytest.mark.django_db
def test_moving_to_another_time_and_therapist(rhea, massage, patient, book, clinic, frozen_now):
    theo = TherapistFactory(first_name="Theo", last_name="Stone", clinics=[clinic])
    booking = book(massage, patient, "2027-03-01T10:00")
    page = rhea.get(
        f"/diary/derby/bookings/{booking.pk}/move/?date=2027-03-01&time=14:30&therapist={theo.pk}"
    )
    assert 'value="14:30"' in page.content.decode()
    response = rhea.post(
        f"/diary/derby/bookings/{booking.pk}/move/",
        {"date": "2027-03-01", "time": "14:30", "therapist": theo.pk, "version": 1},
        **FRAGMENT,
    )
    assert response.json()["message"] == "Moved Pat Jones to Mon 1 Mar 14:30 with Theo Stone."
    booking.refresh_from_db()
    assert (booking.start, booking.therapist, booking.version) == (
        datetime(2027, 3, 1, 14, 30, tzinfo=UTC),
        theo,
        2,
    )


@pytest.mark.django_db
def test_dragging_into_a_room_column_moves_the_booking_into_that_room(
    rhea, massage, patient, book, clinic, room, frozen_now
):
    second = RoomFactory(clinic=clinic, name="Room 2")
    booking = book(massage, patient, "2027-03-01T10:00")
    assert booking.room == room
    page = rhea.get(
        f"/diary/derby/bookings/{booking.pk}/move/?date=2027-03-01&time=11:00&room={second.pk}"
    )
    assert f'<option value="{second.pk}" selected>' in page.content.decode()
    response = rhea.post(
        f"/diary/derby/bookings/{booking.pk}/move/",
        {
            "date": "2027-03-01",
            "time": "11:00",
            "therapist": booking.therapist_id,
            "room": second.pk,
            "version": 1,
        },
        **FRAGMENT,
    )
    assert response.status_code == 200, response.content
    booking.refresh_from_db()
    assert (booking.room, booking.start) == (second, datetime(2027, 3, 1, 11, tzinfo=UTC))


@pytest.mark.django_db
def test_moving_onto_another_booking_is_refused_not_overwritten(
    rhea, massage, patient, book, frozen_now
):
    booking = book(massage, patient, "2027-03-01T10:00")
    other = book(massage, PatientFactory(clinic=massage.clinic), "2027-03-01T14:00")
    response = rhea.post(
        f"/diary/derby/bookings/{booking.pk}/move/",
        {"date": "2027-03-01", "time": "14:15", "therapist": booking.therapist_id, "version": 1},
        **FRAGMENT,
    )
    assert response.status_code == 409
    assert "The therapist is already booked then." in response.content.decode()
    booking.refresh_from_db()
    other.refresh_from_db()
    assert booking.start == datetime(2027, 3, 1, 10, tzinfo=UTC)
    assert booking.version == 1
    assert other.start == datetime(2027, 3, 1, 14, tzinfo=UTC)


@pytest.mark.django_db
def test_a_stale_dialog_is_refused_with_a_reload_message(rhea, massage, patient, book, frozen_now):
    booking = book(massage, patient, "2027-03-01T10:00")
    response = rhea.post(
        f"/diary/derby/bookings/{booking.pk}/move/",
        {"date": "2027-03-01", "time": "15:00", "therapist": booking.therapist_id, "version": 7},
    )
    assert "reload it" in response.content.decode()
    booking.refresh_from_db()
    assert booking.version == 1


@pytest.mark.django_db
def test_check_in_and_a_refused_no_show_explain_themselves(
    rhea, massage, patient, book, frozen_now
):
    booking = book(massage, patient, "2027-03-01T10:00")
    early = rhea.post(
        f"/diary/derby/bookings/{booking.pk}/status/",
        {"action": "no_show", "version": 1},
        **FRAGMENT,
    )
    assert early.status_code == 409
    assert (
        "A no-show can be recorded from 10:15, 15 minutes after the start."
        in early.content.decode()
    )
    done = rhea.post(
        f"/diary/derby/bookings/{booking.pk}/status/",
        {"action": "check_in", "version": 1},
        **FRAGMENT,
    )
    assert done.json()["message"] == "Pat Jones checked in."
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ARRIVED
    assert booking.checked_in_at == NOW


# Real commits: the waiting list is offered the time when the cancellation commits, before
# the page reports who was offered it.
@pytest.mark.django_db(transaction=True)
def test_cancelling_offers_the_freed_time_to_the_waiting_list(
    rhea, massage, patient, book, frozen_now
):
    booking = book(massage, patient, "2027-03-01T10:00")
    waiting = add_to_waitlist(
        patient=PatientFactory(clinic=massage.clinic), treatment=massage, earliest=NOW.date()
    )
    response = rhea.post(
        f"/diary/derby/bookings/{booking.pk}/cancel/",
        {"reason": "illness", "version": 1},
        **FRAGMENT,
    )
    assert response.json()["message"] == (
        "Cancelled Pat Jones on Mon 1 Mar 10:00 (late cancellation)."
        " The freed time was offered to 1 patient on the waiting list."
    )
    waiting.refresh_from_db()
    assert waiting.status == WaitlistStatus.OFFERED
    panel = rhea.get("/diary/derby/waiting-list/").content.decode()
    assert "Freed time offered:</strong> Mon 1 Mar, 10:00 with Tess Physio" in panel
    assert "Book it" in panel


# --- live updates -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_changes_answer_304_until_something_changes(rhea, massage, patient, book, frozen_now):
    first = rhea.get("/diary/derby/changes/?date=2027-03-01&view=day&by=therapist")
    etag = first["ETag"]
    assert first.json()["items"] == []
    assert (
        rhea.get("/diary/derby/changes/?date=2027-03-01", HTTP_IF_NONE_MATCH=etag).status_code
        == 304
    )

    booking = book(massage, patient, "2027-03-01T10:00")
    changed = rhea.get("/diary/derby/changes/?date=2027-03-01", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    [item] = changed.json()["items"]
    assert item["id"] == f"bk-{booking.pk}"
    assert item["column"] == f"2027-03-01:t{booking.therapist_id}"
    assert "Pat Jones" in item["html"]


@pytest.mark.django_db
def test_a_status_change_alters_the_etag(rhea, massage, patient, book, frozen_now):
    booking = book(massage, patient, "2027-03-01T10:00")
    etag = rhea.get("/diary/derby/changes/?date=2027-03-01")["ETag"]
    rhea.post(f"/diary/derby/bookings/{booking.pk}/status/", {"action": "check_in"})
    response = rhea.get("/diary/derby/changes/?date=2027-03-01", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "status-arrived" in response.json()["items"][0]["html"]


# --- blocks ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_blocking_time_over_a_booking_lists_the_clash_and_blocks_nothing(
    rhea, massage, patient, book, therapist, frozen_now
):
    book(massage, patient, "2027-03-01T12:00")
    response = rhea.post(
        "/diary/derby/blocks/new/",
        {
            "subject": f"t{therapist.pk}",
            "date": "2027-03-01",
            "start": "11:30",
            "end": "13:00",
            "reason": "Training",
        },
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "1 booking(s) fall in that time" in page
    assert "Mon 1 Mar 12:00 Pat Jones" in page
    assert not Block.objects.exists()


@pytest.mark.django_db
def test_blocking_and_unblocking_a_room(rhea, massage, room, frozen_now):
    response = rhea.post(
        "/diary/derby/blocks/new/",
        {
            "subject": f"r{room.pk}",
            "date": "2027-03-02",
            "start": "09:00",
            "end": "10:00",
            "reason": "Deep clean",
        },
        **FRAGMENT,
    )
    assert response.json()["ok"] is True
    block = Block.objects.get()
    assert (block.room, block.start) == (room, datetime(2027, 3, 2, 9, tzinfo=UTC))
    assert (
        rhea.post(f"/diary/derby/blocks/{block.pk}/", **FRAGMENT).json()["message"]
        == "Block removed."
    )
    assert not Block.objects.exists()


# --- waiting list -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reception_adds_to_the_waiting_list_and_books_an_offer(
    rhea, massage, patient, book, frozen_now, django_capture_on_commit_callbacks
):
    response = rhea.post(
        "/diary/derby/waiting-list/new/",
        {
            "patient": patient.pk,
            "treatment": massage.pk,
            "earliest": "2027-03-01",
            "part_of_day": "morning",
        },
        **FRAGMENT,
    )
    assert response.json()["message"] == "Pat Jones is on the waiting list for Sports massage."
    entry = patient.waitlist_entries.get()

    cancelled_elsewhere = book(massage, PatientFactory(clinic=massage.clinic), "2027-03-02T09:00")
    with django_capture_on_commit_callbacks(execute=True):
        rhea.post(f"/diary/derby/bookings/{cancelled_elsewhere.pk}/cancel/", {"version": 1})
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED

    booked = rhea.post(f"/diary/derby/waiting-list/{entry.pk}/book/", **FRAGMENT)
    assert booked.json()["message"] == "Booked Pat Jones on Tue 2 Mar 09:00 from the waiting list."
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.BOOKED
    assert entry.booking.start == datetime(2027, 3, 2, 9, tzinfo=UTC)


@pytest.mark.django_db
def test_the_same_patient_cannot_wait_twice_for_one_treatment(rhea, massage, patient, frozen_now):
    add_to_waitlist(patient=patient, treatment=massage, earliest=NOW.date())
    response = rhea.post(
        "/diary/derby/waiting-list/new/",
        {
            "patient": patient.pk,
            "treatment": massage.pk,
            "earliest": "2027-03-01",
            "part_of_day": "any",
        },
        **FRAGMENT,
    )
    assert response.status_code == 409
    assert "already on the waiting list" in response.content.decode()
    assert patient.waitlist_entries.count() == 1


# --- cost -----------------------------------------------------------------------------------------


def _queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **headers).status_code in (200, 304)
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_the_diary_costs_the_same_queries_however_busy_the_day(
    rhea, massage, clinic, book, frozen_now
):
    urls = ["/diary/derby/?date=2027-03-01", "/diary/derby/?date=2027-03-01&view=week"]
    quiet = [_queries(rhea, url) for url in urls]
    for n in range(4):
        TherapistFactory(first_name=f"Extra{n}", clinics=[clinic])
        RoomFactory(clinic=clinic, name=f"Room {n + 2}")
    for n in range(10):
        book(
            massage,
            PatientFactory(clinic=clinic),
            f"2027-03-01T{10 + n % 5:02d}:{(n // 5) * 15:02d}",
        )
    assert [_queries(rhea, url) for url in urls] == quiet


@pytest.mark.django_db
def test_an_unchanged_diary_answers_304_cheaply(rhea, massage, patient, book, frozen_now):
    book(massage, patient, "2027-03-01T10:00")
    etag = rhea.get("/diary/derby/changes/?date=2027-03-01")["ETag"]
    # Session, user, roles, clinic, the clinic's therapists, then three aggregates: no diary is
    # built.
    assert _queries(rhea, "/diary/derby/changes/?date=2027-03-01", HTTP_IF_NONE_MATCH=etag) <= 8


@pytest.mark.django_db
def test_bookings_of_a_deactivated_therapist_and_room_stay_in_the_diary(
    rhea, massage, therapist, room, patient, book, frozen_now
):
    booking = book(massage, patient, "2027-03-01T10:00")
    therapist.is_active = False
    therapist.save()
    room.is_active = False
    room.save()

    by_therapist = rhea.get("/diary/derby/?date=2027-03-01").content.decode()
    by_room = rhea.get("/diary/derby/?date=2027-03-01&by=room").content.decode()
    a_week_later = rhea.get("/diary/derby/?date=2027-03-08").content.decode()

    for page in (by_therapist, by_room):
        assert f'id="bk-{booking.pk}"' in page
        assert "No longer active" in page
    assert 'aria-label="Tess Physio, Monday 1 March"' in by_therapist
    assert 'aria-label="Room 1, Monday 1 March"' in by_room
    # With nothing booked any more, a deactivated therapist has no column.
    assert "Tess Physio" not in a_week_later


@pytest.mark.django_db
def test_no_show_is_offered_from_the_start_plus_the_clinics_grace(
    rhea, massage, patient, book, frozen_now
):
    massage.clinic.no_show_grace_minutes = 10
    massage.clinic.save()
    booking = book(massage, patient, "2027-03-01T10:00")
    url = f"/diary/derby/bookings/{booking.pk}/"
    with time_machine.travel(datetime(2027, 3, 1, 10, 5, tzinfo=UTC), tick=False):
        started = rhea.get(url).content.decode()
    with time_machine.travel(datetime(2027, 3, 1, 10, 10, tzinfo=UTC), tick=False):
        after_grace = rhea.get(url).content.decode()
    assert 'value="no_show"' not in started
    assert "No-show can be recorded from 10:10, 10 minutes after the start." in started
    assert 'value="check_in"' in started
    assert 'value="no_show"' in after_grace
    assert "No-show can be recorded from" not in after_grace


@pytest.mark.django_db
def test_the_booking_dialog_offers_a_therapist_only_treatments_they_are_qualified_for(
    rhea, massage, therapist, clinic, frozen_now
):
    from tests.factories import TreatmentFactory

    needling = TreatmentFactory(
        clinic=clinic, name="Dry needling", required_qualifications=["dry_needling"]
    )
    theo = TherapistFactory(first_name="Theo", last_name="Stone", clinics=[clinic])
    for_theo = rhea.get(
        f"/diary/derby/bookings/new/?date=2027-03-01&time=11:00&therapist={theo.pk}"
    )
    for_tess = rhea.get(
        f"/diary/derby/bookings/new/?date=2027-03-01&time=11:00&therapist={therapist.pk}"
    )
    anyone = rhea.get("/diary/derby/bookings/new/?date=2027-03-01&time=11:00").content.decode()

    assert "Dry needling" not in for_theo.content.decode()
    assert "Sports massage (45 minutes)" in for_theo.content.decode()
    assert "Dry needling (45 minutes)" in for_tess.content.decode()
    # With no therapist chosen yet, each option says who may give it (the page filters live).
    assert f'data-therapists="{therapist.pk}"' in anyone
    assert f'data-therapists="{therapist.pk} {theo.pk}"' in anyone or (
        f'data-therapists="{theo.pk} {therapist.pk}"' in anyone
    )
    refused = rhea.post(
        "/diary/derby/bookings/new/",
        desk_booking(needling, therapist=theo.pk, new_first_name="Ravi", new_last_name="Shah"),
    )
    assert "treatment" in refused.context["form"].errors
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_clicking_non_working_time_says_so_before_anything_is_filled_in(
    rhea, massage, therapist, frozen_now
):
    therapist.working_hours.filter(weekday=0).update(starts="12:00")
    before_work = rhea.get(
        f"/diary/derby/bookings/new/?date=2027-03-01&time=09:30&therapist={therapist.pk}"
    ).content.decode()
    after_closing = rhea.get(
        "/diary/derby/bookings/new/?date=2027-03-01&time=20:30"
    ).content.decode()
    working = rhea.get(
        f"/diary/derby/bookings/new/?date=2027-03-01&time=13:00&therapist={therapist.pk}"
    ).content.decode()

    assert "Tess Physio is not working at 09:30 on Monday 1 March." in before_work
    assert 'name="start_choice" value="2027-03-01T12:00:00+00:00"' in before_work
    assert "Derby Physio is closed at 20:30 on Monday 1 March." in after_closing
    assert "not working" not in working
    assert "is closed" not in working


@pytest.mark.django_db
def test_one_click_lists_who_is_still_expected_and_who_cancelled_late_or_did_not_come(
    rhea, massage, therapist, clinic, book, receptionist, frozen_now
):
    from booking.services import cancel_booking, check_in_booking, mark_no_show

    def someone(first, phone=""):
        return PatientFactory(clinic=clinic, first_name=first, last_name="Test", phone=phone)

    book(massage, someone("Eve", "+447911123456"), "2027-03-01T11:00")
    arrived = book(massage, someone("Arlo"), "2027-03-01T12:00")
    check_in_booking(booking=arrived)
    with time_machine.travel(datetime(2027, 2, 26, 9, tzinfo=UTC), tick=False):
        late = book(massage, someone("Lena", "+447911000111"), "2027-03-02T08:00")
        no_show = book(massage, someone("Noah"), "2027-03-01T08:00")
    cancel_booking(booking=late, cancelled_by=receptionist, apply_policy=False)
    mark_no_show(booking=no_show)
    next_week = book(massage, someone("Nell"), "2027-03-09T10:00")
    cancel_booking(booking=next_week, cancelled_by=receptionist, apply_policy=False)

    diary = rhea.get("/diary/derby/?date=2027-03-01").content.decode()
    assert "/diary/derby/follow-ups/" in diary
    page = rhea.get("/diary/derby/follow-ups/").content.decode()

    expected_part, _, rest = page.partition("Late cancellations this week")
    late_part, _, no_show_part = rest.partition("No-shows this week")
    assert "Still expected today (1)" in expected_part
    assert "Eve Test" in expected_part
    assert '<a href="tel:+447911123456">07911 123456</a>' in expected_part
    assert "Arlo" not in page
    assert "(1)" in late_part
    assert "Lena Test" in late_part
    assert "07911 000111" in late_part
    assert "Nell" not in page
    assert "Noah Test" in no_show_part
    assert "No phone" in no_show_part


# --- the week of one therapist or room ------------------------------------------------------------


def _columns(page: str) -> list[str]:
    return re.findall(r'<section class="diary-col[^"]*"\s+aria-label="([^"]+)"', page)


@pytest.mark.django_db
def test_a_therapists_week_shows_their_seven_days_side_by_side(
    rhea, massage, therapist, patient, book, frozen_now
):
    theo = TherapistFactory(first_name="Theo", last_name="Stone", clinics=[massage.clinic])
    book(massage, patient, "2027-03-03T10:00")
    book(massage, PatientFactory(clinic=massage.clinic, first_name="Sam"), "2027-03-03T12:00", theo)
    page = rhea.get(
        f"/diary/derby/?date=2027-03-03&view=week&therapist={therapist.pk}"
    ).content.decode()
    assert "Tess Physio, week of 1 March 2027" in page
    assert _columns(page) == [
        f"Tess Physio, {day}"
        for day in (
            "Monday 1 March",
            "Tuesday 2 March",
            "Wednesday 3 March",
            "Thursday 4 March",
            "Friday 5 March",
            "Saturday 6 March",
            "Sunday 7 March",
        )
    ]
    assert "Pat Jones" in page
    assert "Sam " not in page  # Theo's patient: another week, one click away
    assert "The week shows one therapist at a time" not in page
    # Each day's head opens that day, and the therapist's day sheet for it.
    assert f"/diary/derby/?date=2027-03-04&amp;view=day&amp;therapist={therapist.pk}" in page
    assert f"/diary/derby/day-sheet/?date=2027-03-04&amp;therapist={therapist.pk}" in page


@pytest.mark.django_db
def test_the_week_without_a_therapist_shows_the_first_and_says_why(
    rhea, massage, therapist, frozen_now
):
    TherapistFactory(first_name="Theo", last_name="Stone", clinics=[massage.clinic])
    page = rhea.get("/diary/derby/?date=2027-03-03&view=week").content.decode()
    assert len(_columns(page)) == 7
    assert all(label.startswith("Tess Physio, ") for label in _columns(page))
    assert "The week shows one therapist at a time" in page
    assert "too narrow to read a 15-minute booking" in page
    # The picked therapist is not forced on the day view the note links to.
    assert 'href="/diary/derby/?date=2027-03-03&amp;view=day&amp;by=therapist"' in page


@pytest.mark.django_db
def test_switching_day_week_and_resource_keeps_the_date_and_urls_are_shareable(
    rhea, massage, therapist, room, frozen_now
):
    day = rhea.get(f"/diary/derby/?date=2027-03-04&therapist={therapist.pk}")
    links = day.context["links"]
    assert links["week"] == f"/diary/derby/?date=2027-03-04&view=week&therapist={therapist.pk}"
    assert links["by_room"] == "/diary/derby/?date=2027-03-04&view=day&by=room"
    assert links["next"] == f"/diary/derby/?date=2027-03-05&view=day&therapist={therapist.pk}"
    week = rhea.get(links["week"])
    assert week.context["diary"].first_day.isoformat() == "2027-03-01"
    week_links = week.context["links"]
    # Back to the day that was showing, not the Monday; a week on is the same weekday.
    assert week_links["day"] == f"/diary/derby/?date=2027-03-04&view=day&therapist={therapist.pk}"
    assert week_links["next"].startswith("/diary/derby/?date=2027-03-11&view=week")
    assert f"therapist={therapist.pk}" in week.context["changes_url"]
    # The old ?by=…&only=… links still work.
    old = rhea.get(f"/diary/derby/?date=2027-03-04&view=week&by=room&only={room.pk}")
    assert old.context["diary"].resource == room


@pytest.mark.django_db
def test_the_poll_redraws_the_same_one_therapist_week(
    rhea, massage, therapist, patient, book, frozen_now
):
    theo = TherapistFactory(first_name="Theo", last_name="Stone", clinics=[massage.clinic])
    RoomFactory(clinic=massage.clinic, name="Room 2")
    mine = book(massage, patient, "2027-03-02T10:00")
    book(massage, PatientFactory(clinic=massage.clinic), "2027-03-02T10:00", theo)
    data = rhea.get(
        f"/diary/derby/changes/?date=2027-03-02&view=week&therapist={therapist.pk}"
    ).json()
    assert [item["id"] for item in data["items"]] == [f"bk-{mine.pk}-2027-03-02"]


# --- short bookings, overlaps, colours --------------------------------------------------------------


@pytest.fixture
def taping(clinic, room):
    return TreatmentFactory(
        clinic=clinic,
        name="Kinesio taping",
        modality=Modality.TAPING,
        duration_minutes=15,
        buffer_after_minutes=0,
    )


@pytest.mark.django_db
def test_a_15_minute_booking_is_drawn_on_one_line_with_time_and_name_first(
    rhea, massage, taping, patient, book, frozen_now
):
    short = book(taping, patient, "2027-03-01T10:00")
    long = book(massage, PatientFactory(clinic=massage.clinic), "2027-03-01T11:00")
    page = rhea.get("/diary/derby/?date=2027-03-01").content.decode()
    short_html = re.search(rf'<div class="[^"]*" id="bk-{short.pk}".*?</a>', page).group(0)
    assert "compact" in short_html.split('"')[1]
    assert "10:00 to 10:15: Pat Jones" in text_of(short_html)
    long_html = re.search(rf'<div class="[^"]*" id="bk-{long.pk}"', page).group(0)
    assert "compact" not in long_html


@pytest.mark.django_db
def test_bookings_are_coloured_by_treatment_type_and_the_legend_names_each_colour(
    rhea, massage, taping, patient, book, frozen_now
):
    massage_booking = book(massage, patient, "2027-03-01T11:00")
    taping_booking = book(taping, PatientFactory(clinic=massage.clinic), "2027-03-01T10:00")
    page = rhea.get("/diary/derby/?date=2027-03-01").content.decode()
    assert re.search(
        rf'class="item booking [^"]*mod-sports_massage[^"]*" id="bk-{massage_booking.pk}"', page
    )
    assert re.search(
        rf'class="item booking [^"]*mod-taping[^"]*" id="bk-{taping_booking.pk}"', page
    )
    legend = page[page.index('id="legend-heading"') :]
    for code, label in Modality.choices:
        assert f'<span class="swatch mod-{code}" aria-hidden="true"></span>{label}' in legend
    # Never colour alone: the booking names its treatment.
    assert "Kinesio taping" in text_of(page)


@pytest.mark.django_db
def test_a_group_class_is_one_item_listing_each_patient(
    rhea, clinic, room, therapist, book, frozen_now
):
    pilates = TreatmentFactory(
        clinic=clinic, name="Pilates class", modality=Modality.EXERCISE_REHAB, capacity=6
    )
    places = [
        book(pilates, PatientFactory(clinic=clinic, first_name=name), "2027-03-01T10:00")
        for name in ("Ann", "Bea", "Cal")
    ]
    page = rhea.get("/diary/derby/?date=2027-03-01").content.decode()
    assert page.count('class="item group') == 1
    assert f'id="gr-{places[0].pk}"' in page
    assert "Class, 3 of 6 places booked" in text_of(page)
    for place in places:
        assert f'id="pl-{place.pk}"' in page
        assert f'href="/diary/derby/bookings/{place.pk}/' in page
    assert 'id="bk-' not in page


@pytest.mark.django_db
def test_a_block_over_a_booking_is_drawn_beside_it(
    rhea, massage, therapist, patient, book, frozen_now
):
    booking = book(massage, patient, "2027-03-01T10:00")
    block = Block.objects.create(
        therapist=therapist,
        start=datetime(2027, 3, 1, 10, 30, tzinfo=UTC),
        end=datetime(2027, 3, 1, 11, 30, tzinfo=UTC),
        reason="Training",
    )
    page = rhea.get("/diary/derby/?date=2027-03-01").content.decode()
    assert re.search(rf'id="bk-{booking.pk}"[^>]*--lane: 0; --lanes: 2', page)
    assert re.search(rf'id="bl-{block.pk}-{therapist.pk}"[^>]*--lane: 1; --lanes: 2', page)


# --- the booking's card -------------------------------------------------------------------------


def _plan_holding(booking, *, therapist, title="Neck rehab", phase="Settle pain"):
    plan = plans.create_plan(
        patient=booking.patient,
        clinic=booking.clinic,
        lead_therapist=therapist,
        condition="neck_pain",
        title=title,
        condition_notes="Left-sided C6 radiculopathy",
        created_by=therapist.user,
        phases=[
            plans.PhaseSpec(
                name="Calm it down",
                weeks=1,
                components=(plans.ComponentSpec(booking.treatment, sessions=1),),
            ),
            plans.PhaseSpec(
                name=phase,
                weeks=3,
                components=(plans.ComponentSpec(booking.treatment, sessions=3),),
            ),
        ],
    )
    plans.activate_plan(plan=plan, activated_by=therapist.user)
    session = plan.sessions.filter(component__phase__name=phase).order_by("sequence").first()
    session.booking = booking
    session.save()
    return plan


def _card(page: str, booking) -> str:
    start = page.index(f'id="card-bk-{booking.pk}"')
    return page[start : page.index("</dl>", start)]


@pytest.mark.django_db
def test_the_card_gives_phone_plan_visit_note_flag_and_status_without_clinical_content(
    rhea, massage, therapist, patient, book, frozen_now
):
    patient.phone = "+447700900456"
    patient.save()
    first = book(massage, patient, "2027-03-01T10:00")
    first.notes = "Pays by card; prefers the ground-floor room"
    first.save()
    _plan_holding(first, therapist=therapist)
    again = book(massage, patient, "2027-03-01T14:00")
    page = rhea.get("/diary/derby/?date=2027-03-01").content.decode()

    card = text_of(_card(page, first))
    assert 'href="tel:+447700900456"' in _card(page, first)
    assert "07700 900456" in card
    assert "Treatment plan, phase 2 of 2, 3 sessions to book" in card
    assert "led by Tess Physio" in card
    assert "VisitFirst visit" in card
    assert "Desk noteYes: open the booking to read it" in card
    assert "Confirmed" in card
    assert "VisitFollow-up" in text_of(_card(page, again))
    assert "Desk noteNone" in text_of(_card(page, again))
    # The booking's link is described by its card (read out on focus).
    assert f'aria-describedby="card-bk-{first.pk}"' in page
    # Reception sees the scheduling side only: no plan title, phase names or clinical notes,
    # and the desk note's words stay in the booking's own dialog.
    for clinical in ("Neck rehab", "Settle pain", "Calm it down", "radiculopathy", "Pays by card"):
        assert clinical not in page

    # The booking's dialog says the same, and there the desk note is read.
    dialog = text_of(rhea.get(f"/diary/derby/bookings/{first.pk}/", **FRAGMENT).content.decode())
    assert "VisitFirst visit" in dialog
    assert "PlanTreatment plan, phase 2 of 2, 3 sessions to book" in dialog
    assert "Pays by card" in dialog
    for clinical in ("Neck rehab", "Settle pain", "radiculopathy"):
        assert clinical not in dialog


@pytest.mark.django_db
def test_the_card_costs_no_query_per_booking(rhea, massage, therapist, clinic, book, frozen_now):
    urls = [
        "/diary/derby/?date=2027-03-01",
        f"/diary/derby/?date=2027-03-01&view=week&therapist={therapist.pk}",
    ]
    quiet = [_queries(rhea, url) for url in urls]
    for n in range(6):
        booking = book(
            massage,
            PatientFactory(clinic=clinic, phone="+447700900456"),
            f"2027-03-0{1 + n % 3}T1{n}:00",
        )
        booking.notes = "Call before"
        booking.save()
        if n % 2:
            _plan_holding(booking, therapist=therapist)
    assert [_queries(rhea, url) for url in urls] == quiet


# --- the day sheet ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_day_sheet_lists_a_therapists_day_in_time_order(
    rhea, massage, taping, therapist, patient, book, receptionist, frozen_now
):
    from booking.services import cancel_booking

    RoomFactory(clinic=massage.clinic, name="Room 2")
    theo = TherapistFactory(first_name="Theo", last_name="Stone", clinics=[massage.clinic])
    patient.phone = "+447700900456"
    patient.save()
    first = book(massage, patient, "2027-03-01T10:00")
    _plan_holding(first, therapist=therapist)
    again = book(taping, patient, "2027-03-01T15:00")
    again.notes = "Bring shorts"
    again.save()
    book(
        massage, PatientFactory(clinic=massage.clinic, first_name="Theos"), "2027-03-01T10:00", theo
    )
    gone = book(
        massage, PatientFactory(clinic=massage.clinic, first_name="Gone"), "2027-03-01T16:00"
    )
    cancel_booking(booking=gone, cancelled_by=receptionist, apply_policy=False)
    Block.objects.create(
        therapist=therapist,
        start=datetime(2027, 3, 1, 12, tzinfo=UTC),
        end=datetime(2027, 3, 1, 12, 45, tzinfo=UTC),
        reason="Lunch",
    )

    response = rhea.get(f"/diary/derby/day-sheet/?therapist={therapist.pk}&date=2027-03-01")
    assert response.status_code == 200
    page = response.content.decode()
    rows = [
        " | ".join(cell.strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S))
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page[page.index("<tbody>") :], re.S)
    ]
    rows = [re.sub(r"\s+", " ", text_of(row)) for row in rows]
    assert rows == [
        "10:00–10:45 | Pat Jones | 07700 900456 | Sports massage | Room 1 | First visit"
        " | Treatment plan, phase 2 of 2, 3 sessions to book | Confirmed",
        "12:00–12:45 | Blocked: Lunch",
        "15:00–15:15 | Pat Jones (desk note) | 07700 900456 | Kinesio taping | Room 1 | Follow-up"
        " | None | Confirmed",
    ]
    assert 'href="tel:+447700900456"' in page
    assert "Tess Physio" in page
    assert "Monday 1 March 2027" in page
    assert "1 patient ·" in text_of(page)
    for absent in ("Theos", "Gone", "Neck rehab", "Settle pain", "Bring shorts"):
        assert absent not in page
    assert "data-print" in page


@pytest.mark.django_db
def test_the_day_sheet_is_linked_from_the_diary(rhea, massage, therapist, frozen_now):
    page = rhea.get("/diary/derby/?date=2027-03-02").content.decode()
    assert f'href="/diary/derby/day-sheet/?date=2027-03-02&amp;therapist={therapist.pk}"' in page
    assert 'href="/diary/derby/day-sheet/?date=2027-03-02">Day sheet' in page


@pytest.mark.django_db
def test_the_day_sheet_without_a_therapist_lists_whom_to_choose(
    rhea, massage, therapist, frozen_now
):
    page = rhea.get("/diary/derby/day-sheet/?date=2027-03-02").content.decode()
    assert "Choose whose day to list and print" in page
    assert f'href="/diary/derby/day-sheet/?date=2027-03-02&amp;therapist={therapist.pk}"' in page


@pytest.mark.django_db
def test_the_day_sheet_refuses_other_clinics_and_their_therapists(
    rhea, browser_for, other_receptionist, other_therapist, massage, therapist, patient, book
):
    book(massage, patient, "2027-03-01T10:00")
    url = f"/diary/derby/day-sheet/?therapist={therapist.pk}&date=2027-03-01"
    response = browser_for(other_receptionist).get(url)
    assert response.status_code == 403
    assert "Pat Jones" not in response.content.decode()
    # Nor Derby's sheet through Nottingham's diary, nor Nottingham's therapist through Derby's.
    rory = browser_for(other_receptionist)
    assert rory.get(f"/diary/nottingham/day-sheet/?therapist={therapist.pk}").status_code == 404
    assert rhea.get(f"/diary/derby/day-sheet/?therapist={other_therapist.pk}").status_code == 404
    assert rhea.get("/diary/derby/day-sheet/?therapist=tess").status_code == 404
    assert browser_for(None).get(url)["Location"].startswith("/sign-in/")


@pytest.mark.django_db
def test_the_day_sheet_costs_the_same_queries_however_busy_the_day(
    rhea, massage, therapist, clinic, book, frozen_now
):
    url = f"/diary/derby/day-sheet/?therapist={therapist.pk}&date=2027-03-01"
    quiet = _queries(rhea, url)
    for hour in range(10, 16):
        booking = book(
            massage, PatientFactory(clinic=clinic, phone="+447700900456"), f"2027-03-01T{hour}:00"
        )
        if hour % 2:
            _plan_holding(booking, therapist=therapist)
    Block.objects.create(
        therapist=therapist,
        start=datetime(2027, 3, 1, 17, tzinfo=UTC),
        end=datetime(2027, 3, 1, 18, tzinfo=UTC),
    )
    assert text_of(rhea.get(url).content.decode()).count("07700 900456") == 6
    assert _queries(rhea, url) == quiet


@pytest.mark.django_db
def test_a_new_phone_number_reaches_the_open_diarys_cards(rhea, massage, patient, book, frozen_now):
    book(massage, patient, "2027-03-01T10:00")
    url = "/diary/derby/changes/?date=2027-03-01"
    etag = rhea.get(url)["ETag"]
    with time_machine.travel(datetime(2027, 3, 1, 9, 5, tzinfo=UTC), tick=False):
        patient.phone = "+447700900999"
        patient.save()
    response = rhea.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "tel:+447700900999" in response.json()["items"][0]["html"]


def test_overlapping_items_share_the_width_in_lanes():
    from web.diary.grid import Item, _lay_out_lanes

    def item(name, at, length):
        return Item(dom_id=name, kind="booking", column="c", at=at, length=length)

    a, b, c, d = item("a", 0, 60), item("b", 30, 60), item("c", 60, 60), item("d", 200, 30)
    _lay_out_lanes([d, c, b, a])
    assert [(i.lane, i.lanes) for i in (a, b, c, d)] == [(0, 2), (1, 2), (0, 2), (0, 1)]


@pytest.mark.django_db
def test_a_patient_is_new_until_they_have_come_or_are_booked_earlier(
    massage, therapist, patient, book, receptionist, frozen_now
):
    from booking.services import cancel_booking, mark_no_show
    from web.diary import card_for, desk_bookings

    with time_machine.travel(datetime(2027, 2, 1, 9, tzinfo=UTC), tick=False):
        missed = book(massage, patient, "2027-02-01T10:00")
        cancelled = book(massage, patient, "2027-02-02T10:00")
        cancel_booking(booking=cancelled, cancelled_by=receptionist, apply_policy=False)
    with time_machine.travel(datetime(2027, 2, 1, 10, 30, tzinfo=UTC), tick=False):
        mark_no_show(booking=missed)
    first, second = (
        book(massage, patient, "2027-03-01T10:00"),
        book(massage, patient, "2027-03-02T10:00"),
    )
    clinic = massage.clinic
    cards = {
        card.booking.pk: card.visit
        for card in map(
            card_for,
            desk_bookings(
                clinic=clinic, start=clinic.midnight(missed.start.date()), end=second.end
            ),
        )
    }
    assert cards == {missed.pk: "First visit", first.pk: "First visit", second.pk: "Follow-up"}
