# ruff: noqa: F811 - the session-note fixtures are imported by name below
"""Aftercare: after a session, the patient's appointment page shows the clinic's advice for the
modalities done; the email only says that advice is waiting, and links there."""

import pytest
from django.core import mail

from notifications.models import Kind, Notification
from notifications.services import send_notification_now
from sessionnotes import services
from sessionnotes.models import AftercareAdvice
from tests.sessionnotes.conftest import (  # noqa: F401 - fixtures
    cleared,
    combined,
    complete_note,
    session,
)


def signed_note(booking, therapist):
    content = {k: v for k, v in complete_note(booking).items() if k != "booking"}
    note = services.write_note(booking=booking, author=therapist.user, content=content)
    return services.sign_note(note=note, signed_by=therapist.user)


def appointment_page(browser_for, patient, booking) -> str:
    response = browser_for(patient.user).get(f"/appointments/{booking.uid}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_appointment_page_shows_aftercare_for_the_modalities_done(
    browser_for, session, therapist, patient
):
    assert "After your session" not in appointment_page(browser_for, patient, session)

    signed_note(session, therapist)
    page = appointment_page(browser_for, patient, session)
    advice = page.split('id="aftercare-heading"')[1]
    assert "Dry needling" in advice
    assert "24 to 72 hours" in advice  # post-needling soreness: what is normal
    assert "call 999" in advice  # when to get urgent help
    assert "Sports massage" in advice
    # The advice, never the note.
    assert "Tender right upper trapezius" not in page
    assert "Myofascial neck pain" not in page


@pytest.mark.django_db
def test_the_clinics_own_wording_replaces_the_default(
    browser_for, session, therapist, patient, clinic
):
    AftercareAdvice.objects.create(
        clinic=clinic,
        modality="dry_needling",
        what_is_normal="Expect a dull ache for a day or two, like after a gym session.",
        when_to_call="Ring reception if it is worse on day three.",
    )
    signed_note(session, therapist)
    page = appointment_page(browser_for, patient, session)
    assert "Expect a dull ache for a day or two" in page
    assert "24 to 72 hours" not in page
    assert "Muscles can feel tender or heavy" in page  # massage keeps the default


@pytest.mark.django_db
def test_another_patient_cannot_open_the_appointment_page(browser_for, session, therapist, clinic):
    from tests.factories import PatientFactory, UserFactory

    signed_note(session, therapist)
    other = PatientFactory(clinic=clinic, user=UserFactory(username="olly"))
    assert browser_for(other.user).get(f"/appointments/{session.uid}/").status_code == 404


@pytest.mark.django_db
def test_signing_writes_one_aftercare_email_that_carries_no_clinical_detail(
    session, therapist, patient, settings
):
    settings.SITE_URL = "https://physiodesk.example"
    signed_note(session, therapist)
    row = Notification.objects.get(kind=Kind.AFTERCARE)

    send_notification_now(row.pk)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.subject == "Advice from your appointment at Derby Physio"
    assert "Advice from your session is on your appointment page" in email.body
    assert f"https://physiodesk.example/appointments/{session.uid}/" in email.body
    html = email.alternatives[0][0]
    body = (email.subject + email.body + html).lower()
    for clinical in ("needl", "massage", "trapezius", "soreness", "neck"):
        assert clinical not in body
    row.refresh_from_db()
    assert row.status == "sent"


@pytest.mark.django_db
def test_a_note_without_modalities_sends_no_aftercare_email(session, therapist):
    content = {k: v for k, v in complete_note(session).items() if k not in ("booking",)}
    content["records"] = []
    note = services.write_note(booking=session, author=therapist.user, content=content)
    services.sign_note(note=note, signed_by=therapist.user)
    assert not Notification.objects.filter(kind=Kind.AFTERCARE).exists()
