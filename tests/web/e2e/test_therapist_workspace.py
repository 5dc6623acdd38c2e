"""In a real browser: a therapist opens a session from their day, sees the patient at a glance
and follows it to the patient's record; writes, signs and copies forward a needling + massage
note with a body chart."""

from datetime import UTC, datetime

import pytest

from booking.services import book_session
from sessionnotes.models import SessionNote
from tests.factories import TreatmentFactory
from tests.plans.conftest import book_past_session

from .pages import DESKTOP, PHONE, shot, sign_in


@pytest.mark.django_db(transaction=True)
def test_therapist_opens_a_session_and_reads_the_patients_record(
    open_page, clock, course, patient, massage, therapist
):
    book_session(
        treatment=massage,
        start=datetime(2027, 3, 1, 11, tzinfo=UTC),
        patient=patient,
        apply_policy=False,
    )
    page = open_page(PHONE)
    sign_in(page, "tess")
    page.get_by_role("link", name="Pat Jones at 11:00").first.click()
    page.get_by_role("heading", name="Treatment plan").wait_for()
    assert page.get_by_text("Build strength").first.is_visible()
    assert page.get_by_text("Cleared for dry needling").is_visible()
    assert page.locator("figure.chart svg").count() == 1
    shot(page, "therapist-03-session-glance-360")

    page.get_by_role("link", name="Patient record").click()
    page.get_by_role("heading", name="Timeline").wait_for()
    assert page.get_by_text("Plan started: Neck rehab").is_visible()
    page.get_by_role("link", name="Outcomes").click()
    page.get_by_role("heading", name="Timeline: Outcomes").wait_for()
    assert page.locator(".timeline-entry").count() == 2
    shot(page, "therapist-04-record-outcomes-360")

    desktop = open_page(DESKTOP)
    sign_in(desktop, "tess")
    desktop.goto(f"/therapist/patients/{patient.pk}/")
    desktop.get_by_role("heading", name="Timeline").wait_for()
    shot(desktop, "therapist-04-record-desktop")


@pytest.fixture
def combined_treatment(clinic, therapist):
    return TreatmentFactory(
        clinic=clinic,
        name="Dry needling + sports massage",
        modality="combined",
        duration_minutes=45,
        required_qualifications=["dry_needling", "sports_massage"],
        required_room_features=["needling_approved"],
    )


@pytest.mark.django_db(transaction=True)
def test_therapist_writes_signs_and_copies_forward_a_needling_and_massage_note(
    open_page, clock, course, patient, therapist, combined_treatment
):
    first = book_past_session(
        combined_treatment, patient, therapist, datetime(2027, 2, 24, 10, tzinfo=UTC)
    )
    second = book_past_session(
        combined_treatment, patient, therapist, datetime(2027, 3, 1, 8, tzinfo=UTC)
    )
    page = open_page(DESKTOP)
    sign_in(page, "tess")
    due = page.locator("section.notes-due")
    # The course's massage on 22 February, and these two.
    assert due.get_by_text("not started").count() == 3
    due.get_by_role("link", name="Pat Jones, Wed 24 Feb 10:00").click()
    page.get_by_role("heading", name="Session note: Pat Jones").wait_for()
    assert page.get_by_role("heading", name="Dry needling").is_visible()
    assert page.get_by_role("heading", name="Sports massage").is_visible()

    page.fill("#f-pain_before", "6")
    page.fill("#f-pain_after", "4")
    page.fill("#f-subjective", "Right neck ache for six weeks, worse after desk days.")
    page.fill("#f-objective", "Rotation right 65 degrees; taut band right upper trapezius.")
    page.fill("#f-assessment", "Myofascial neck pain.")
    page.fill("#f-plan", "Needling and massage weekly; chin tucks daily.")
    # The first session of the plan: the assessment and its red-flag screen.
    page.fill("#f-initial_assessment-presenting_complaint", "Right-sided neck pain.")
    page.fill("#f-initial_assessment-history", "Gradual onset, no trauma, no relevant history.")
    page.fill("#f-initial_assessment-working_diagnosis", "Myofascial neck pain.")
    for flag in page.locator('[data-screen="neck_pain"] .red-flag').all():
        flag.get_by_label("No", exact=True).check()

    # Body chart: click the region on the outline; its row appears with the pain score focused.
    page.locator('svg .region[data-view="back"][data-region="right_shoulder_blade"]').click()
    assert page.locator("#f-body_chart-0-region").input_value() == "back/right_shoulder_blade"
    page.keyboard.type("6")
    assert (
        page.locator('svg .region[data-region="right_shoulder_blade"].band-moderate').count() == 1
    )

    page.fill("#f-dry_needling-sites-0-muscle", "Upper trapezius")
    page.select_option("#f-dry_needling-sites-0-side", "right")
    page.fill("#f-dry_needling-sites-0-trigger_point", "TrP1")
    page.fill("#f-dry_needling-sites-0-needle_diameter_mm", "0.25")
    page.fill("#f-dry_needling-sites-0-needle_length_mm", "30")
    page.fill("#f-dry_needling-sites-0-insertions", "4")
    page.select_option("#f-dry_needling-sites-0-technique", "pistoning")
    # A second site, added from the keyboard: focus moves into the new row.
    page.get_by_role("button", name="Add a needling site").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "f-dry_needling-sites-1-muscle"
    page.keyboard.type("Levator scapulae")
    page.select_option("#f-dry_needling-sites-1-side", "right")
    page.fill("#f-dry_needling-sites-1-needle_diameter_mm", "0.25")
    page.fill("#f-dry_needling-sites-1-needle_length_mm", "40")
    page.select_option("#f-dry_needling-sites-1-technique", "pistoning")
    # A third one added by mistake goes again from the keyboard; focus returns to site 2.
    page.get_by_role("button", name="Add a needling site").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Remove site 3").focus()
    page.keyboard.press("Enter")
    assert page.locator("#f-dry_needling-sites-2-muscle").count() == 0
    assert page.evaluate("document.activeElement.id") == "f-dry_needling-sites-1-muscle"
    page.fill("#f-dry_needling-needles_in", "2")
    page.fill("#f-dry_needling-needles_out", "1")
    page.check("#f-dry_needling-sharps_disposed")

    page.fill("#f-sports_massage-areas-0-area", "Upper trapezius")
    page.get_by_label("Effleurage").check()
    page.get_by_label("Trigger point release").check()
    page.select_option("#f-sports_massage-pressure", "firm")
    page.fill("#f-sports_massage-minutes", "20")
    page.get_by_text("Draft saved at").wait_for()  # autosaved as you go
    shot(page, "notes-01-writing-1440")

    page.get_by_role("button", name="Sign note").click()
    page.locator("[data-error-summary]").wait_for()
    assert page.locator("#f-dry_needling-needles_out-error").is_visible()
    assert (
        "needles out do not match" in page.locator("#f-dry_needling-needles_out-error").inner_text()
    )
    shot(page, "notes-02-needle-count-error-1440")
    page.fill("#f-dry_needling-needles_out", "2")
    page.get_by_role("button", name="Sign note").click()
    page.get_by_text("Note signed.").wait_for()
    assert page.get_by_text("Signed by").is_visible()
    assert page.get_by_text("Right shoulder blade (back): dull ache, 6/10").first.is_visible()
    shot(page, "notes-03-signed-1440")
    # A correction after signing is an amendment with a reason; the original stays readable.
    page.get_by_role("link", name="Amend this note").click()
    page.get_by_role("heading", name="Why is the note amended?").wait_for()
    page.fill("#f-plan", "Needling and massage weekly; chin tucks and band rows daily.")
    page.fill("#f-reason", "Band rows were prescribed too.")
    page.get_by_role("button", name="Save the amendment").click()
    page.get_by_text("Amendment added.").wait_for()
    assert page.get_by_text("Band rows were prescribed too.").is_visible()
    assert page.get_by_role("heading", name="As signed").is_visible()
    shot(page, "notes-03b-amended-1440")

    # The next session starts from this note: check, edit, sign.
    tablet = open_page({"width": 768, "height": 1024})
    sign_in(tablet, "tess")
    tablet.goto(f"/therapist/sessions/{second.pk}/")
    tablet.get_by_role("link", name="Write the note").click()
    tablet.get_by_text("Pre-filled from the note of Wednesday 24 February").wait_for()
    assert tablet.locator("#f-dry_needling-sites-1-muscle").input_value() == "Levator scapulae"
    assert tablet.locator("#f-plan").input_value().endswith("band rows daily.")  # as amended
    assert tablet.locator('svg .region.previous[data-region="right_shoulder_blade"]').count() == 1
    assert not tablet.locator("#f-dry_needling-sharps_disposed").is_checked()
    shot(tablet, "notes-04-copied-forward-768")
    tablet.fill("#f-subjective", "Much better: 4/10 at worst.")
    tablet.fill("#f-objective", "Rotation right 75 degrees.")
    tablet.fill("#f-pain_before", "4")
    tablet.fill("#f-pain_after", "2")
    tablet.fill("#f-body_chart-0-nprs", "4")
    tablet.check("#f-dry_needling-sharps_disposed")
    tablet.get_by_role("button", name="Sign note").click()
    tablet.get_by_text("Note signed.").wait_for()
    shot(tablet, "notes-05-second-signed-768")

    notes = {n.booking_id: n for n in SessionNote.objects.all()}
    assert notes[first.pk].status == "amended"
    assert notes[second.pk].status == "signed"
    assert notes[second.pk].pain_before == 4
    assert [r.kind for r in notes[second.pk].records.all()] == ["dry_needling", "sports_massage"]
    assert notes[second.pk].body_chart[0]["nprs"] == 4
    page.goto("/therapist/")
    due = page.locator("section.notes-due")
    assert due.get_by_role("link", name="Pat Jones, Mon 22 Feb 10:00").is_visible()
    assert due.get_by_role("link", name="Pat Jones, Wed 24 Feb 10:00").count() == 0
    assert due.get_by_role("link", name="Pat Jones, Mon 1 Mar 08:00").count() == 0


@pytest.mark.django_db(transaction=True)
def test_after_a_signed_session_the_patient_reads_aftercare_on_their_appointment_page(
    open_page, clock, course, patient, therapist, combined_treatment
):
    from sessionnotes import services as notes
    from sessionnotes.red_flags import SCREENS
    from tests.sessionnotes.conftest import complete_note

    held = book_past_session(
        combined_treatment, patient, therapist, datetime(2027, 2, 26, 10, tzinfo=UTC)
    )
    content = {k: v for k, v in complete_note(held).items() if k != "booking"}
    assessment = {  # the plan's first note: its assessment, red-flag screen negative
        "presenting_complaint": "Right-sided neck pain.",
        "history": "Six weeks, gradual onset.",
        "screen": "neck_pain",
        "red_flags": {flag.code: {"answer": "no"} for flag in SCREENS["neck_pain"]},
        "working_diagnosis": "Myofascial neck pain.",
    }
    note = notes.write_note(
        booking=held, author=therapist.user, content=content, initial_assessment=assessment
    )
    notes.sign_note(note=note, signed_by=therapist.user)

    page = open_page({"width": 768, "height": 1024})
    sign_in(page, "pat")
    page.goto(f"/appointments/{held.uid}/")
    page.get_by_role("heading", name="After your session").wait_for()
    assert page.get_by_role("heading", name="Dry needling").is_visible()
    assert page.get_by_text("24 to 72 hours").is_visible()
    assert page.get_by_text("Tender right upper trapezius").count() == 0  # never the note
    shot(page, "notes-06-patient-aftercare-768")
