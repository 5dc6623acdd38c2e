"""Online booking: treatment → therapist → time → details → confirm."""

from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model

from booking.models import Booking, Channel, Modality, Patient
from tests.factories import PatientFactory, TreatmentFactory


def confirm_url(treatment, start="2027-03-02T10:00:00+00:00", therapist="any"):
    path = f"/book/{treatment.clinic.slug}/{treatment.pk}/confirm/"
    return f"{path}?therapist={therapist}&start={quote(start)}"


@pytest.mark.django_db
def test_start_page_goes_straight_to_the_only_clinic(browser_for, massage):
    response = browser_for(None).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/book/derby/"


@pytest.mark.django_db
def test_treatments_are_grouped_by_modality_with_duration_and_price(browser_for, massage, clinic):
    TreatmentFactory(
        clinic=clinic,
        name="Dry needling",
        modality=Modality.DRY_NEEDLING,
        duration_minutes=30,
        description="Fine needles to release tight muscles.",
        required_qualifications=["dry_needling"],
    )
    TreatmentFactory(clinic=clinic, name="Staff only", online_bookable=False)
    page = browser_for(None).get("/book/derby/").content.decode()
    assert page.index("Dry needling") < page.index("Sports massage")  # modality order
    assert "Fine needles to release tight muscles." in page
    assert "45 minutes · £55.00" in page
    assert "Staff only" not in page


@pytest.mark.django_db
def test_times_page_lists_live_free_times_in_clinic_time(
    browser_for, massage, book, patient, frozen_now
):
    book(massage, patient, "2027-03-02T10:00")
    page = (
        browser_for(None)
        .get(f"/book/derby/{massage.pk}/times/?therapist=any&from=2027-03-02")
        .content.decode()
    )
    assert 'aria-label="Tuesday 2 March at 09:00"' in page
    assert 'aria-label="Tuesday 2 March at 10:00"' not in page  # taken
    assert 'aria-label="Tuesday 2 March at 10:45"' not in page  # its 15-minute buffer after
    assert 'aria-label="Tuesday 2 March at 11:00"' in page
    # The clinic's clock: on 1 April (British Summer Time) it opens at 08:00, which is 07:00 UTC.
    april = browser_for(None).get(f"/book/derby/{massage.pk}/times/?therapist=any&from=2027-04-01")
    assert 'aria-label="Thursday 1 April at 08:00"' in april.content.decode()
    assert "at 07:" not in april.content.decode()


@pytest.mark.django_db
def test_anonymous_patient_registers_on_the_details_step_and_is_signed_in(
    browser_for, massage, frozen_now
):
    browser = browser_for(None)
    page = browser.get(confirm_url(massage)).content.decode()
    assert "New here? Create your account" in page
    response = browser.post(
        confirm_url(massage),
        {
            "action": "register",
            "start": "2027-03-02T10:00:00+00:00",
            "therapist": "any",
            "first_name": "Nia",
            "last_name": "Evans",
            "email": "Nia@Example.test",
            "phone": "07700 900123",
            "password1": "a-long-passphrase",
            "password2": "a-long-passphrase",
            "consents_to_email": "on",
            "accepts_privacy_notice": "on",
        },
    )
    assert response.status_code == 302
    patient = Patient.objects.get(email="nia@example.test")
    assert patient.user.username == "nia@example.test"
    assert patient.clinic == massage.clinic
    assert patient.privacy_notice_accepted_at == frozen_now
    assert "Confirm booking" in browser.get(response["Location"]).content.decode()
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_registration_needs_the_privacy_notice_and_matching_passwords(
    browser_for, massage, frozen_now
):
    response = browser_for(None).post(
        confirm_url(massage),
        {
            "action": "register",
            "start": "2027-03-02T10:00:00+00:00",
            "therapist": "any",
            "first_name": "Nia",
            "last_name": "Evans",
            "email": "nia@example.test",
            "password1": "a-long-passphrase",
            "password2": "another-passphrase",
        },
    )
    page = response.content.decode()
    assert "Please accept the privacy notice" in page
    assert "The two passwords do not match." in page
    assert not get_user_model().objects.filter(username="nia@example.test").exists()


@pytest.mark.django_db
def test_signed_in_patient_confirms_and_gets_a_confirmation_with_calendar_link(
    browser_for, massage, patient, frozen_now
):
    browser = browser_for(patient.user)
    response = browser.post(
        confirm_url(massage),
        {"action": "confirm", "start": "2027-03-02T10:00:00+00:00", "therapist": "any"},
    )
    booking = Booking.objects.get()
    assert response["Location"] == f"/appointments/{booking.uid}/booked/"
    assert booking.channel == Channel.ONLINE
    assert booking.start == datetime(2027, 3, 2, 10, tzinfo=UTC)
    page = browser.get(response["Location"]).content.decode()
    assert "You're booked in" in page
    assert f"/appointments/{booking.uid}/calendar.ics" in page


@pytest.mark.django_db
def test_the_booked_page_has_everything_a_patient_needs_and_calendar_links(
    browser_for, massage, patient, clinic, frozen_now
):
    from notifications.models import CalendarEntry

    clinic.address = "14 Friar Gate\nDerby\nDE1 1BX"
    clinic.phone = "01332 123456"
    clinic.save()
    patient.email = "pat@example.test"
    patient.save()
    browser = browser_for(patient.user)
    response = browser.post(
        confirm_url(massage),
        {"action": "confirm", "start": "2027-03-02T10:00:00+00:00", "therapist": "any"},
    )
    page = browser.get(response["Location"]).content.decode()
    reference = CalendarEntry.objects.get().uid.hex[:8].upper()

    assert f"<strong>{reference}</strong>" in page
    assert "Tuesday 2 March 2027, 10:00–10:45" in page
    assert "Sports massage (45 minutes)" in page
    assert "Tess Physio" in page
    assert "14 Friar Gate, Derby, DE1 1BX" in page
    assert "maps/search/?api=1&amp;query=Derby+Physio%2C+14+Friar+Gate%2C+Derby%2C+DE1+1BX" in page
    assert "£55.00" in page
    assert "until 24 hours before the start" in page
    assert "We have emailed the details and a calendar invitation to pat@example.test." in page
    google = (
        "calendar.google.com/calendar/render?action=TEMPLATE&amp;text=Appointment+at+Derby+Physio"
    )
    assert google in page
    assert "dates=20270302T100000Z%2F20270302T104500Z" in page
    assert "outlook.live.com/calendar/0/deeplink/compose?" in page
    assert "startdt=2027-03-02T10%3A00%3A00Z" in page
    # Calendars are shared: the links name the clinic, never the treatment.
    links = [
        part for part in page.split('"') if "calendar.google" in part or "outlook.live" in part
    ]
    assert links
    assert not [link for link in links if "massage" in link.lower()]


@pytest.mark.django_db
def test_a_slot_taken_meanwhile_shows_the_nearest_free_times_not_an_error(
    browser_for, massage, patient, book, frozen_now
):
    someone_else = PatientFactory(clinic=massage.clinic)
    book(massage, someone_else, "2027-03-02T10:00")
    response = browser_for(patient.user).post(
        confirm_url(massage),
        {"action": "confirm", "start": "2027-03-02T10:00:00+00:00", "therapist": "any"},
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Sorry, that time has just gone" in page
    assert "The nearest free times" in page
    assert "Book Tue 2 Mar, 09:00" in page
    assert "Book Tue 2 Mar, 11:00" in page
    assert Booking.objects.filter(patient=patient).count() == 0


@pytest.mark.django_db
def test_opening_the_details_step_for_a_taken_time_offers_alternatives(
    browser_for, massage, patient, book, frozen_now
):
    book(massage, PatientFactory(clinic=massage.clinic), "2027-03-02T10:00")
    response = browser_for(None).get(confirm_url(massage))
    assert response.status_code == 409
    assert "The nearest free times" in response.content.decode()


@pytest.mark.django_db
def test_too_short_notice_is_explained_with_later_times(browser_for, massage, patient, frozen_now):
    response = browser_for(patient.user).post(
        confirm_url(massage, start="2027-03-01T09:30:00+00:00"),
        {"action": "confirm", "start": "2027-03-01T09:30:00+00:00", "therapist": "any"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Online bookings need at least 2 hours notice." in page
    assert "Book Mon 1 Mar, 11:00" in page
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_staff_without_a_patient_record_are_sent_to_the_diary(
    browser_for, massage, receptionist, frozen_now
):
    browser = browser_for(receptionist)
    assert (
        'use the <a href="/diary/">diary</a>' in browser.get(confirm_url(massage)).content.decode()
    )
    response = browser.post(
        confirm_url(massage),
        {"action": "confirm", "start": "2027-03-02T10:00:00+00:00", "therapist": "any"},
    )
    assert response.status_code == 403
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_patient_joins_the_waiting_list_from_the_times_page(
    browser_for, massage, patient, frozen_now
):
    browser = browser_for(patient.user)
    response = browser.post(
        f"/book/derby/{massage.pk}/waiting-list/", {"therapist": "any", "from": "2027-03-08"}
    )
    assert response.status_code == 302
    entry = patient.waitlist_entries.get()
    assert entry.treatment == massage
    assert entry.therapist is None
    assert str(entry.earliest) == "2027-03-08"


@pytest.mark.django_db
def test_initial_assessment_is_listed_before_follow_up_and_lengths_are_said_once(
    browser_for, massage, clinic
):
    TreatmentFactory(
        clinic=clinic,
        name="Follow-up",
        modality=Modality.ASSESSMENT,
        duration_minutes=30,
        patient_type="follow_up",
    )
    TreatmentFactory(
        clinic=clinic,
        name="Initial assessment",
        modality=Modality.ASSESSMENT,
        duration_minutes=60,
        patient_type="new",
    )
    page = browser_for(None).get("/book/derby/").content.decode()
    assert page.index("Initial assessment") < page.index("Follow-up")


@pytest.mark.django_db
def test_the_summary_names_a_treatment_whose_name_has_its_length_once(
    browser_for, clinic, therapist, patient, frozen_now
):
    needling = TreatmentFactory(
        clinic=clinic, name="Sports massage (30 minutes)", duration_minutes=30
    )
    page = browser_for(patient.user).get(confirm_url(needling)).content.decode()
    assert "Sports massage (30 minutes)" in page
    assert "(30 minutes) (30 minutes)" not in page


@pytest.mark.django_db
def test_registration_refuses_a_made_up_phone_number_and_a_future_date_of_birth(
    browser_for, massage, frozen_now
):
    response = browser_for(None).post(
        confirm_url(massage),
        {
            "action": "register",
            "start": "2027-03-02T10:00:00+00:00",
            "therapist": "any",
            "first_name": "Nia",
            "last_name": "Evans",
            "email": "nia@example.test",
            "phone": "not a phone number !!!",
            "date_of_birth": "2030-01-01",
            "password1": "a-long-passphrase",
            "password2": "a-long-passphrase",
            "accepts_privacy_notice": "on",
        },
    )
    page = response.content.decode()
    assert "Enter a phone number, such as 07700 900456." in page
    assert "A date of birth cannot be in the future." in page
    # One summary at the top (focused by forms.js), each error linked to its field.
    summary = page[
        page.index("data-error-summary") : page.index("</ul>", page.index("data-error-summary"))
    ]
    assert "There is a problem" in summary
    assert '<a href="#id_phone">Mobile number: Enter a phone number' in summary
    assert '<a href="#id_date_of_birth">Date of birth: A date of birth cannot' in summary
    assert page.index("data-error-summary") < page.index('id="id_first_name"')
    assert not get_user_model().objects.filter(username="nia@example.test").exists()


@pytest.mark.django_db
def test_a_patient_updating_their_phone_by_api_gets_it_checked_and_stored_in_e164(
    api, patient, frozen_now
):
    url = f"/api/v1/patients/{patient.pk}/"
    refused = api(patient.user).patch(url, {"phone": "not a phone number !!!"}, format="json")
    assert refused.status_code == 400
    assert "phone" in refused.json()["error"]["fields"]
    saved = api(patient.user).patch(url, {"phone": "07911 123456"}, format="json")
    assert saved.status_code == 200
    assert saved.json()["phone"] == "+447911123456"
    future = api(patient.user).patch(url, {"date_of_birth": "2031-01-01"}, format="json")
    assert future.status_code == 400


@pytest.mark.django_db
def test_the_therapist_step_shows_each_therapists_next_free_time(
    browser_for, massage, clinic, patient, book, frozen_now
):
    from datetime import timedelta

    from booking.models import Block
    from tests.factories import TherapistFactory

    theo = TherapistFactory(first_name="Theo", last_name="Stone", clinics=[clinic])
    away = datetime(2027, 3, 1, tzinfo=UTC)
    Block.objects.create(therapist=theo, start=away, end=away + timedelta(days=40), reason="Away")
    page = browser_for(None).get(f"/book/derby/{massage.pk}/").content.decode()
    tess = page[page.index("Tess Physio") : page.index("Theo Stone")]
    # Now is Monday 09:00 and online booking needs two hours' notice: 11:00 is the first.
    assert "Next free: Mon 1 Mar, 11:00" in tess
    assert "No free times in the next 4 weeks" in page[page.index("Theo Stone") :]
