"""In a real browser: reception works the diary (create by clicking, move by dragging, a conflict
refused with its reason, check in, cancel, the waiting list), sees another receptionist's change
without reloading; and a therapist's day."""

from datetime import UTC, datetime

import pytest

from booking.models import Block, Booking, BookingStatus
from booking.services import book_session
from tests.factories import PatientFactory, RoomFactory, TherapistFactory
from waitlist.services import add_to_waitlist

from .pages import DESKTOP, PHONE, shot, sign_in

GRID_TOP = 8 * 60  # the clinic opens at 08:00
PX_PER_MINUTE = 1.6  # --ppm in app.css


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, 1, hour, minute, tzinfo=UTC)


def y_of(hour: int, minute: int = 0) -> float:
    return (hour * 60 + minute - GRID_TOP) * PX_PER_MINUTE


def drag_booking(page, booking_id, column, *, from_, to):
    """Drag a booking with the mouse, as a person would, to a time in a column."""
    page.locator(".diary-scroll").evaluate(
        f"e => e.scrollTop = {min(y_of(*from_), y_of(*to)) - 100}"
    )
    source = page.locator(f"#bk-{booking_id}").bounding_box()
    page.mouse.move(source["x"] + 20, source["y"] + 5)
    page.mouse.down()
    page.mouse.move(source["x"] + 30, source["y"] + 20, steps=5)
    target = column.bounding_box()
    page.mouse.move(target["x"] + 40, target["y"] + y_of(*to) + 7, steps=10)
    page.mouse.up()


@pytest.fixture
def busy_monday(massage, therapist, clinic):
    """Derby's Monday: Tess and Theo, two rooms, a few patients booked, one waiting."""
    theo = TherapistFactory(first_name="Theo", last_name="Stone", clinics=[clinic])
    RoomFactory(clinic=clinic, name="Room 2")

    def patient(first, last):
        return PatientFactory(clinic=clinic, first_name=first, last_name=last)

    def desk(who, start, with_):
        return book_session(
            treatment=massage, start=start, patient=who, therapist=with_, apply_policy=False
        )

    bookings = {
        "olive": desk(patient("Olive", "Quinn"), at(9, 30), therapist),
        "sam": desk(patient("Sam", "Okafor"), at(12), theo),
        "ravi": desk(patient("Ravi", "Shah"), at(15), theo),
    }
    Block.objects.create(therapist=therapist, start=at(13), end=at(13, 45), reason="Lunch")
    add_to_waitlist(patient=patient("Wendy", "Waits"), treatment=massage, earliest=at(9).date())
    return {"theo": theo, **bookings}


@pytest.mark.django_db(transaction=True)
def test_reception_creates_moves_checks_in_and_cancels(
    open_page, clock, massage, patient, therapist, receptionist, busy_monday
):
    theo = busy_monday["theo"]
    page = open_page(DESKTOP)
    sign_in(page, "rhea")
    page.get_by_role("heading", name="Derby Physio").wait_for()
    shot(page, "diary-01-day-desktop")

    # Create: click Tess's free 11:00 and find Pat inline.
    tess_column = page.locator(f'section[data-therapist="{therapist.pk}"] .col-body')
    box = tess_column.bounding_box()
    page.mouse.click(box["x"] + 30, box["y"] + y_of(11) + 3)
    dialog = page.locator("#diary-dialog")
    dialog.get_by_role("heading", name="New booking").wait_for()
    assert dialog.get_by_label("Time").input_value() == "11:00"
    dialog.get_by_label("Find a patient").fill("Pat J")
    dialog.get_by_role("radio", name="Pat Jones").check()
    shot(page, "diary-02-new-booking-dialog", full_page=False)
    dialog.get_by_role("button", name="Book", exact=True).click()
    page.get_by_text(
        "Booked Pat Jones for Sports massage on Mon 1 Mar 11:00 with Tess Physio."
    ).wait_for()
    created = Booking.objects.get(patient=patient)
    assert created.start == at(11)
    page.locator(f"#bk-{created.pk}").wait_for()

    # Move: drag it into Theo's column at 14:00, confirm in the dialog.
    theo_column = page.locator(f'section[data-therapist="{theo.pk}"] .col-body')
    drag_booking(page, created.pk, theo_column, from_=(11, 0), to=(14, 0))
    dialog.get_by_role("heading", name="Move Pat Jones").wait_for()
    assert dialog.get_by_label("Time").input_value() == "14:00"
    shot(page, "diary-03-move-dialog", full_page=False)
    dialog.get_by_role("button", name="Move booking").click()
    page.get_by_text(
        "Moved Pat Jones to Mon 1 Mar 14:00 with Theo Stone."
        " The freed time was offered to 1 patient on the waiting list."
    ).wait_for()
    created.refresh_from_db()
    assert (created.start, created.therapist) == (at(14), theo)
    panel = page.locator("#waitlist-panel")
    panel.get_by_text("Mon 1 Mar, 11:00 with Tess Physio").wait_for()

    # A conflict: drag it onto Ravi's 15:00 with Theo. Refused with the reason, nothing moves.
    page.locator(f'section[data-therapist="{theo.pk}"] #bk-{created.pk}').wait_for()
    drag_booking(page, created.pk, theo_column, from_=(14, 0), to=(15, 0))
    dialog.get_by_role("heading", name="Move Pat Jones").wait_for()
    dialog.get_by_role("button", name="Move booking").click()
    dialog.get_by_text("The therapist is already booked then.").wait_for()
    assert dialog.get_by_role("group", name="Nearest free times").is_visible()
    shot(page, "diary-04-conflict-refused", full_page=False)
    created.refresh_from_db()
    assert created.start == at(14)
    dialog.get_by_role("button", name="Close").click()

    # Check in Olive, who has just arrived for 09:30.
    olive = busy_monday["olive"]
    page.locator(f"#bk-{olive.pk}").click()
    dialog.get_by_role("heading", name="Olive Quinn").wait_for()
    shot(page, "diary-05-booking-dialog", full_page=False)
    dialog.get_by_role("button", name="Check in").click()
    page.get_by_text("Olive Quinn checked in.").wait_for()
    page.locator(f"#bk-{olive.pk}.status-arrived").wait_for()

    # Cancel Sam's 12:00 (Wendy already holds the 11:00 the move freed, so nobody is offered it).
    sam = busy_monday["sam"]
    page.locator(f"#bk-{sam.pk}").click()
    dialog.get_by_text("Cancel this booking").click()
    dialog.get_by_label("Reason").select_option("illness")
    dialog.get_by_role("button", name="Cancel booking").click()
    page.get_by_text("Cancelled Sam Okafor on Mon 1 Mar 12:00 (late cancellation).").wait_for()
    page.locator(f"#bk-{sam.pk}").wait_for(state="detached")
    assert Booking.objects.get(pk=sam.pk).status == BookingStatus.CANCELLED
    shot(page, "diary-06-waiting-list-offer")
    panel.get_by_role("button", name="Book it for Wendy Waits").click()
    page.get_by_text("Booked Wendy Waits on Mon 1 Mar 11:00 from the waiting list.").wait_for()

    # Another receptionist books meanwhile: it appears without a reload.
    page.evaluate("window.stillTheSamePage = true")
    other = book_session(
        treatment=massage,
        start=at(17),
        patient=PatientFactory(clinic=massage.clinic, first_name="Late"),
        therapist=therapist,
        apply_policy=False,
    )
    page.locator(f"#bk-{other.pk}").wait_for()
    assert page.evaluate("window.stillTheSamePage") is True
    shot(page, "diary-07-day-after-changes-desktop")

    page.get_by_role("link", name="Arrivals and follow-ups").click()
    dialog = page.locator("#diary-dialog")
    dialog.get_by_role("heading", name="Arrivals and follow-ups").wait_for()
    assert "Ravi Shah" in dialog.inner_text()
    shot(page, "diary-11-follow-ups-dialog", full_page=False)
    dialog.get_by_role("link", name="Back to the diary").click()

    page.get_by_role("link", name="Week").click()
    page.get_by_role("heading", name="week of 1 March 2027").wait_for()
    shot(page, "diary-08-week-desktop")
    page.get_by_role("link", name="Rooms").click()
    page.locator(".diary-col[data-room]").first.wait_for()
    shot(page, "diary-09-week-rooms-desktop")

    phone = open_page(PHONE)
    sign_in(phone, "rhea")
    phone.get_by_role("heading", name="Derby Physio").wait_for()
    shot(phone, "diary-10-day-360")


@pytest.mark.django_db(transaction=True)
def test_therapist_sees_their_day(open_page, clock, therapist, busy_monday):
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "360")):
        page = open_page(viewport)
        sign_in(page, "tess")
        page.get_by_role("heading", name="Today, Monday 1 March").wait_for()
        assert page.get_by_text("Olive Quinn").first.is_visible()
        shot(page, f"therapist-01-day-{name}")


@pytest.mark.django_db(transaction=True)
def test_todays_day_view_opens_at_the_current_time(open_page, therapist, receptionist, massage):
    import time_machine

    with time_machine.travel(at(16), tick=True):
        page = open_page(DESKTOP)
        sign_in(page, "rhea")
        page.get_by_role("heading", name="Derby Physio").wait_for()
        scroller = page.locator(".diary-scroll")
        scroller.locator(".now-line").wait_for(state="attached")
        top, height = scroller.evaluate("e => [e.scrollTop, e.clientHeight]")
        line = scroller.locator(".now-line").evaluate("e => e.offsetTop")
        assert top > 0
        assert top <= line <= top + height


@pytest.fixture
def varied_week(clinic, massage, therapist):
    """Tess's week with a short taping, PNF stretching, a plan visit, a block over a booking, and
    Theo's group class: what the colours, the cards and the lanes are for."""
    from booking.models import Modality
    from plans import services as plans
    from tests.factories import TreatmentFactory

    theo = TherapistFactory(first_name="Theo", last_name="Stone", clinics=[clinic])
    RoomFactory(clinic=clinic, name="Gym")
    taping = TreatmentFactory(
        clinic=clinic,
        name="Taping",
        modality=Modality.TAPING,
        duration_minutes=15,
        buffer_after_minutes=0,
    )
    needling = TreatmentFactory(
        clinic=clinic,
        name="PNF stretching",
        modality=Modality.PNF_STRETCHING,
        duration_minutes=30,
        buffer_after_minutes=0,
    )
    pilates = TreatmentFactory(
        clinic=clinic,
        name="Rehab class",
        modality=Modality.EXERCISE_REHAB,
        capacity=6,
        duration_minutes=60,
        buffer_after_minutes=0,
    )

    def patient(first, last, phone="+447700900123"):
        return PatientFactory(clinic=clinic, first_name=first, last_name=last, phone=phone)

    def desk(treatment, who, start, with_=therapist):
        return book_session(
            treatment=treatment, start=start, patient=who, therapist=with_, apply_policy=False
        )

    short = desk(taping, patient("Tia", "Short"), at(9, 15))
    planned = desk(massage, patient("Olive", "Quinn", "+447700900456"), at(10))
    plan = plans.create_plan(
        patient=planned.patient,
        clinic=clinic,
        lead_therapist=therapist,
        condition="neck_pain",
        title="Neck rehab",
        created_by=therapist.user,
        phases=[
            plans.PhaseSpec(
                name="Settle pain", weeks=3, components=(plans.ComponentSpec(massage, sessions=3),)
            )
        ],
    )
    plans.activate_plan(plan=plan, activated_by=therapist.user)
    session = plan.sessions.order_by("sequence").first()
    session.booking = planned
    session.save()
    planned.notes = "Pays by card"
    planned.save()
    desk(needling, patient("Nia", "Needle"), at(11, 30))
    late = desk(massage, patient("Ben", "Block"), at(14))
    Block.objects.create(therapist=therapist, start=at(14, 30), end=at(15, 30), reason="Meeting")
    for name in ("Ann", "Bea", "Cal"):
        desk(pilates, patient(name, "Class"), at(10), theo)
    desk(needling, patient("Wes", "Wednesday"), datetime(2027, 3, 3, 9, tzinfo=UTC))
    return {"theo": theo, "short": short, "planned": planned, "late": late}


@pytest.mark.django_db(transaction=True)
def test_a_therapists_week_their_cards_by_keyboard_and_their_day_sheet(
    open_page, clock, therapist, receptionist, varied_week
):
    page = open_page(DESKTOP)
    sign_in(page, "rhea")
    page.get_by_role("heading", name="Derby Physio").wait_for()
    shot(page, "diary-12-day-colours-desktop")

    # Short bookings stay legible: the 15-minute taping shows its time and patient on one line.
    short = page.locator(f"#bk-{varied_week['short'].pk}")
    assert "09:15" in short.inner_text()
    assert "Tia Short" in short.inner_text()
    assert short.bounding_box()["height"] >= 18
    # The block over Ben's booking sits beside it, both readable.
    ben = page.locator(f"#bk-{varied_week['late'].pk}").bounding_box()
    block = page.locator(".item.block", has_text="Meeting").bounding_box()
    assert ben["x"] + ben["width"] <= block["x"] + 1
    # Theo's class is one item listing its three patients.
    group = page.locator(".item.group")
    assert group.count() == 1
    assert group.get_by_role("link").count() == 3

    # Pick Tess, then the week: her seven days side by side, the date kept in the URL.
    page.get_by_label("Therapist").select_option(label="Tess Physio")
    page.wait_for_url(f"**therapist={therapist.pk}**")
    page.get_by_role("link", name="Week", exact=True).click()
    page.get_by_role("heading", name="Tess Physio, week of 1 March 2027").wait_for()
    assert f"view=week&therapist={therapist.pk}" in page.url
    assert "date=2027-03-01" in page.url
    columns = page.locator(".diary-col")
    assert columns.count() == 7
    assert page.locator(f'.diary-col[data-therapist="{therapist.pk}"]').count() == 7
    assert page.locator(".item-link", has_text="Wes Wednesday").is_visible()
    assert page.locator(".item-link", has_text="Ann Class").count() == 0
    widths = [columns.nth(n).bounding_box()["width"] for n in range(7)]
    assert min(widths) >= 130  # a readable column per day at 1440 px, no sideways scrolling
    shot(page, "diary-13-week-of-one-therapist-desktop")

    # The card, by keyboard: focus reaches the booking, Tab reaches the phone link in its card,
    # Escape hides it.
    planned = varied_week["planned"]
    holder = page.locator(f"#bk-{planned.pk}-2027-03-01")
    card = holder.locator(".card-pop")
    short_id = f"bk-{varied_week['short'].pk}-2027-03-01"
    page.locator(f"#{short_id} .item-link").focus()
    page.locator(f"#card-{short_id}").wait_for(state="visible")
    page.keyboard.press("Tab")  # into the taping's card: its phone link
    assert page.evaluate("document.activeElement.closest('.card-pop').id") == f"card-{short_id}"
    page.keyboard.press("Tab")  # on to the next booking
    assert page.evaluate("document.activeElement.closest('.has-card').id") == holder.get_attribute(
        "id"
    )
    assert page.locator(f"#card-{short_id}").is_hidden()
    card.wait_for(state="visible")
    assert "Treatment plan, phase 1 of 1, 2 sessions to book" in card.inner_text()
    assert "Yes: open the booking to read it" in card.inner_text()
    assert "Neck rehab" not in card.inner_text()
    assert "Pays by card" not in card.inner_text()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "tel:+447700900456"
    assert card.is_visible()
    box, viewport = card.bounding_box(), page.viewport_size
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= viewport["width"]
    shot(page, "diary-14-card-by-keyboard", full_page=False)
    page.keyboard.press("Escape")
    card.wait_for(state="hidden")
    # Focus goes back to the booking, and the card stays dismissed while focus stays there; it
    # comes back once focus has left the booking and returned.
    assert page.evaluate("document.activeElement.closest('.has-card').id") == holder.get_attribute(
        "id"
    )
    assert page.evaluate("document.activeElement.classList.contains('item-link')")
    assert card.is_hidden()
    page.keyboard.press("Tab")  # on to the next booking (the dismissed card holds no stop)
    page.keyboard.press("Shift+Tab")  # and back
    assert page.evaluate("document.activeElement.closest('.has-card').id") == holder.get_attribute(
        "id"
    )
    card.wait_for(state="visible")
    # Pointing at a booking shows its card too.
    page.mouse.move(0, 0)
    page.locator(f"#bk-{varied_week['short'].pk}-2027-03-01").hover()
    page.locator(f"#card-bk-{varied_week['short'].pk}-2027-03-01").wait_for(state="visible")

    # Monday's day sheet, from the week's day head.
    page.locator(".diary-col").first.get_by_role("link", name="Day sheet").click()
    page.get_by_role("heading", name="Tess Physio · Monday 1 March 2027").wait_for()
    rows = page.locator("table.day-sheet tbody tr")
    assert rows.count() == 5  # taping, massage, PNF, Ben, the meeting; not Theo's class
    assert "First visit" in rows.nth(0).inner_text()
    assert (
        page.get_by_role("link", name="07700 900456").get_attribute("href") == "tel:+447700900456"
    )
    shot(page, "diary-15-day-sheet-desktop")
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("button", name="Print").is_visible()
    assert page.locator("table.day-sheet").is_visible()
    shot(page, "diary-16-day-sheet-print", axe=False)
    page.emulate_media(media="screen")

    # The sheet's chooser (from the toolbar, with no therapist picked), and back to the diary.
    page.goto("/diary/derby/day-sheet/?date=2027-03-01")
    shot(page, "diary-17-day-sheet-chooser-desktop")
    page.get_by_role("link", name="Theo Stone").click()
    page.get_by_role("heading", name="Theo Stone · Monday 1 March 2027").wait_for()
    assert page.locator("table.day-sheet tbody tr").count() == 3  # his class's three places
    shot(page, "diary-18-day-sheet-class-desktop")
    page.get_by_role("link", name="Back to the diary").click()
    page.wait_for_url("**/diary/derby/?date=2027-03-01**")
