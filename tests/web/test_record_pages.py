"""The care team's pages about one patient: the record timeline and a session at a glance."""

import pytest

from audit.models import RecordRead
from notifications.models import Notification
from notifications.services.delivery import send_notification_now
from tests.factories import MembershipFactory, TherapistFactory, UserFactory


@pytest.fixture
def todays(course, massage, patient, book, frozen_now):
    booking = book(massage, patient, "2027-03-01T11:00")
    confirmation = Notification.objects.get(entry__booking_id=booking.pk, kind="confirmation")
    send_notification_now(confirmation.pk)
    return booking


@pytest.mark.django_db
def test_therapist_opens_a_session_and_sees_the_patient_at_a_glance(
    browser_for, therapist, todays, course
):
    day = browser_for(therapist.user).get("/therapist/").content.decode()
    assert f'href="/therapist/sessions/{todays.pk}/"' in day

    page = browser_for(therapist.user).get(f"/therapist/sessions/{todays.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Neck rehab" in html
    assert "Build strength" in html  # week 3 of the plan: its second phase
    assert "Cleared for dry needling" in html
    assert "Pain (NPRS)</strong>: 7 → 4" in html
    assert "<svg" in html
    assert f'href="/therapist/patients/{todays.patient_id}/"' in html
    read = set(RecordRead.objects.values_list("object_type", "object_id"))
    assert {("session_overview", todays.pk), ("treatment_plan", course.pk)} <= read
    assert ("plan_progress", course.pk) in read


@pytest.mark.django_db
def test_reception_opening_a_session_is_refused_the_clinical_summary(
    browser_for, receptionist, todays
):
    page = browser_for(receptionist).get(f"/therapist/sessions/{todays.pk}/")
    assert page.status_code == 403
    assert "Neck rehab" not in page.content.decode()
    assert not RecordRead.objects.exists()


@pytest.mark.django_db
def test_another_clinics_therapist_cannot_find_the_session_or_record(
    browser_for, other_therapist, todays
):
    nora = browser_for(other_therapist.user)
    assert nora.get(f"/therapist/sessions/{todays.pk}/").status_code == 404
    assert nora.get(f"/therapist/patients/{todays.patient_id}/").status_code == 404


@pytest.mark.django_db
def test_record_timeline_lists_everything_newest_first_and_records_each_read(
    browser_for, therapist, todays, course, patient
):
    page = browser_for(therapist.user).get(f"/therapist/patients/{patient.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert [entry.title for entry in page.context["entries"]] == [
        "Sports massage with Tess Physio",  # today 11:00
        "Pain (NPRS 0-10): 4",  # entered today 09:00 (the frozen clock) ...
        "Booking confirmation (Email) sent",  # ... as was the email: same time, source order
        "Plan started: Neck rehab",  # 22 February 11:00
        "Dry-needling screening",  # 10:30
        "Consent to dry needling",  # 10:30
        "Sports massage with Tess Physio",  # 10:00, the session ...
        "Pain (NPRS 0-10): 7",  # ... where this score was taken
    ]
    assert "Pain (NPRS 0-10): 4" in html
    assert "To pat" in html
    assert "No contraindications or precautions" in html
    read = RecordRead.objects.filter(actor=therapist.user, patient_id=patient.pk)
    kinds = set(read.values_list("object_type", flat=True))
    assert kinds == {
        "patient_record",
        "treatment_plan",
        "outcome_record",
        "needling_screening",
        "needling_consent",
    }
    assert read.filter(object_type="outcome_record").count() == 2


@pytest.mark.django_db
def test_record_timeline_shows_one_kind_of_entry(browser_for, therapist, todays, patient):
    html = (
        browser_for(therapist.user)
        .get(f"/therapist/patients/{patient.pk}/", {"show": "outcome"})
        .content.decode()
    )
    assert "Pain (NPRS 0-10): 4" in html
    assert "Sports massage with Tess Physio" not in html
    assert "Timeline: Outcomes" in html
    junk = browser_for(therapist.user).get(f"/therapist/patients/{patient.pk}/", {"show": "x<"})
    assert junk.status_code == 200
    assert "Sports massage with Tess Physio" in junk.content.decode()


@pytest.mark.django_db
def test_reception_and_therapists_outside_the_care_team_cannot_read_the_record(
    browser_for, receptionist, clinic, todays, patient
):
    assert browser_for(receptionist).get(f"/therapist/patients/{patient.pk}/").status_code == 403
    theo = MembershipFactory(user=UserFactory(username="theo"), clinic=clinic, role="therapist")
    TherapistFactory(first_name="Theo", user=theo.user, clinics=[clinic])
    page = browser_for(theo.user).get(f"/therapist/patients/{patient.pk}/")
    assert page.status_code == 404
    assert not RecordRead.objects.exists()


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client, todays, patient):
    assert client.get(f"/therapist/patients/{patient.pk}/").status_code == 302
    assert client.get(f"/therapist/sessions/{todays.pk}/").status_code == 302
