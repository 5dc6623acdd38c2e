"""In a real browser at phone width: the month view of the times step, the needling screening in
plain words with its review and a "not sure" routed to a call, the clinician's correction, and
therapists' photos and bios."""

import re
from datetime import UTC, datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from booking.models import Modality
from booking.photos import clean_therapist_photo
from plans.models import NeedlingScreening, ScreeningCorrection
from tests.factories import TreatmentFactory
from tests.plans.conftest import book_past_session

from .pages import DESKTOP, PHONE, shot, sign_in


@pytest.fixture
def needling(clinic, room, therapist):
    return TreatmentFactory(
        clinic=clinic,
        name="Dry needling",
        modality=Modality.DRY_NEEDLING,
        duration_minutes=30,
        required_qualifications=["dry_needling"],
        required_room_features=["needling_approved"],
    )


def answer_screen(page, **given):
    """Answer the screen on show: "No" unless a question's code is given ("Yes"/"Not sure")."""
    for question in page.locator("fieldset.question").all():
        code = question.locator("input").first.get_attribute("name")
        question.get_by_label(given.get(code, "No"), exact=True).check()


@pytest.mark.django_db(transaction=True)
def test_month_view_then_screening_with_not_sure_then_the_clinicians_correction(
    open_page, clock, patient, clinic, therapist, massage, needling
):
    book_past_session(massage, patient, therapist, datetime(2027, 2, 22, 10, tzinfo=UTC))
    page = open_page(PHONE)
    sign_in(page, "pat")

    # The month view: each day's free times, arrow keys between days, a day opens its times.
    page.goto(f"/book/derby/{needling.pk}/times/?therapist=any&from=2027-03-02")
    page.get_by_role("heading", name="March 2027").wait_for()
    shot(page, "patient-20-month-view-360")
    current = page.locator('table.month a[aria-current="date"]')
    assert current.get_attribute("data-day") == "2027-03-02"
    current.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.day") == "2027-03-03"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.day") == "2027-03-10"
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Wednesday 10 March").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    page.get_by_role("link", name="Wednesday 10 March at 10:00").click()

    # Screen 1 in plain words; a screen sent half-answered says what is missing.
    page.get_by_role("heading", name="Your health today").wait_for()
    shot(page, "patient-21-screening-first-screen-360")
    answer_screen(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Medicines").wait_for()
    page.get_by_role("button", name="Continue").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    shot(page, "patient-22-screening-error-summary-360")
    answer_screen(page, anticoagulants="Not sure")
    page.get_by_role("button", name="Continue").click()
    for _ in range(3):
        page.locator("fieldset.question").first.wait_for()
        answer_screen(page)
        page.get_by_role("button", name=re.compile("Continue|check your answers")).click()

    # The review: every answer, each group changeable, then sent.
    page.get_by_role("heading", name="Check your answers").wait_for()
    shot(page, "patient-23-screening-review-360")
    page.get_by_role("link", name="Change your answers about needles and you").click()
    page.get_by_role("heading", name="Needles and you").wait_for()
    page.get_by_role("button", name="Save and check your answers").click()
    page.get_by_role("heading", name="Check your answers").wait_for()
    assert not NeedlingScreening.objects.exists()
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_role("heading", name="The clinic will phone you").wait_for()
    shot(page, "patient-24-screening-clinic-will-phone-360")
    screening = NeedlingScreening.objects.get(patient=patient)
    assert screening.unsure == ["anticoagulants"]

    # Tess, who treats Pat, sees the screening waiting for a call and corrects it.
    desk = open_page(DESKTOP)
    sign_in(desk, "tess")
    desk.goto("/therapist/screenings/")
    desk.get_by_role("heading", name="Screenings to review").wait_for()
    shot(desk, "therapist-10-screenings-to-review")
    desk.get_by_role("link", name="Pat Jones").click()
    desk.get_by_role("heading", name="Needling screening: Pat Jones").wait_for()
    question = desk.locator("fieldset.question").filter(has_text="anticoagulant")
    question.get_by_label("No", exact=True).check()
    desk.get_by_label("Why are you correcting it?").fill("Phoned Pat: no blood thinners.")
    desk.get_by_role("button", name="Save correction").click()
    desk.get_by_text("The screening is corrected and the reason recorded.").wait_for()
    shot(desk, "therapist-11-screening-corrected")
    assert ScreeningCorrection.objects.get().reason == "Phoned Pat: no blood thinners."

    # Pat can now give consent online.
    page.reload()
    page.get_by_role("heading", name="Your consent to dry needling").wait_for()


def photo_upload() -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (600, 600), (40, 120, 110)).save(out, format="PNG")
    return SimpleUploadedFile("tess.png", out.getvalue(), content_type="image/png")


@pytest.mark.django_db(transaction=True)
def test_therapist_photo_and_bio_on_the_therapist_step_and_the_booked_page(
    open_page, clock, patient, therapist, massage, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    therapist.photo = clean_therapist_photo(photo_upload())
    therapist.bio = "Sports physio for 12 years; runners, rowers and stiff necks."
    therapist.save()
    page = open_page(PHONE)
    sign_in(page, "pat")

    page.goto(f"/book/derby/{massage.pk}/")
    photo = page.get_by_role("img", name="Photo of Tess Physio")
    photo.wait_for()
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    shot(page, "patient-25-therapist-photo-and-bio-360")

    page.get_by_role("link", name=re.compile("Tess Physio")).click()
    page.get_by_role("heading", name="Choose a day and time").wait_for()
    page.goto(f"/book/derby/{massage.pk}/times/?therapist={therapist.pk}&from=2027-03-02")
    page.get_by_role("link", name="Tuesday 2 March at 10:00").click()
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_text("You're booked in.").wait_for()
    assert page.get_by_role("img", name="Photo of Tess Physio").evaluate(
        "img => img.complete && img.naturalWidth > 0"
    )
    assert page.get_by_text("runners, rowers and stiff necks").is_visible()
    shot(page, "patient-26-booked-with-therapist-photo-360")
