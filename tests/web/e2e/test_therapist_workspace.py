"""In a real browser: a therapist opens a session from their day, sees the patient at a glance
and follows it to the patient's record."""

from datetime import UTC, datetime

import pytest

from booking.services import book_session

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
