"""An online registration whose email matches a record reception made earlier is linked to
that record only once the address is verified (a signed link emailed to it); until then the
account sees nothing of the record and cannot sign in."""

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import PendingRegistration
from booking.models import Patient
from tests.conftest import NOW
from tests.factories import PatientFactory, UserFactory

PASSWORD = "a-long-passphrase"


def form(email="Maya.Patel@Example.test", **overrides):
    return {
        "first_name": "Maya",
        "last_name": "Patel",
        "email": email,
        "phone": "07700 900456",
        "date_of_birth": "1990-05-04",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "consents_to_email": "on",
        "consents_to_sms": "on",
        "accepts_privacy_notice": "on",
        **overrides,
    }


def verification_link() -> str:
    bodies = [m.body for m in mail.outbox]
    links = re.findall(r"http://testserver(/register/verify/\?\S+)", "\n".join(bodies))
    assert links, bodies
    return links[-1]


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def register(django_capture_on_commit_callbacks):
    """register(browser, **form overrides) posts the registration form; the verification email
    goes out after commit, as it does in production."""

    def post(browser, url="/register/", **data):
        with django_capture_on_commit_callbacks(execute=True):
            return browser.post(url, form(**data))

    return post


@pytest.fixture
def earlier(clinic, massage, therapist, book):
    """Maya, booked in by phone last week: a record with no account, and a booking."""
    maya = PatientFactory(
        clinic=clinic,
        user=None,
        first_name="Maya",
        last_name="Patel",
        email="maya.patel@example.test",
        phone="",
        date_of_birth=None,
        consents_to_sms=False,
    )
    book(massage, maya, "2027-03-02T10:00", therapist=therapist)
    return maya


def test_registering_with_an_earlier_records_email_asks_to_verify_first(
    register, frozen_now, earlier
):
    browser = Client()
    response = register(browser)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Confirm your email address" in page
    assert "maya.patel@example.test" in page
    # Not signed in, not linked, no second record: nothing of the earlier record is reachable.
    assert "_auth_user_id" not in browser.session
    earlier.refresh_from_db()
    assert earlier.user is None
    assert Patient.objects.count() == 1
    user = get_user_model().objects.get(username="maya.patel@example.test")
    assert not hasattr(user, "patient") or Patient.objects.filter(user=user).count() == 0
    # The email goes to the address typed, with a signed link and nothing about care.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["maya.patel@example.test"]
    for clinical in ("massage", "Tess", "10:00", "2 March"):
        assert clinical not in message.body
    assert "/register/verify/?token=" in message.body


def test_the_account_cannot_sign_in_before_verifying(register, frozen_now, earlier):
    register(Client())
    browser = Client()
    response = browser.post(
        "/sign-in/", {"username": "maya.patel@example.test", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Confirm your email address" in response.content.decode()
    assert "_auth_user_id" not in browser.session
    assert len(mail.outbox) == 2  # a fresh link, in case the first went astray
    api = APIClient().post(
        "/api/v1/auth/token/", {"username": "maya.patel@example.test", "password": PASSWORD}
    )
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "email_not_verified"
    assert "token" not in api.json()


def test_opening_the_link_links_the_record_and_signs_in_the_same_browser(
    register, frozen_now, earlier
):
    browser = Client()
    register(browser)
    response = browser.get(verification_link())
    assert response.status_code == 302
    assert response["Location"] == "/appointments/"
    earlier.refresh_from_db()
    user = get_user_model().objects.get(username="maya.patel@example.test")
    assert earlier.user == user
    # What they entered fills what the clinic did not have; their consents are theirs to give.
    assert earlier.phone == "+447700900456"
    assert earlier.date_of_birth == date(1990, 5, 4)
    assert earlier.consents_to_sms is True
    assert earlier.privacy_notice_accepted_at == frozen_now
    assert Patient.objects.count() == 1
    assert not PendingRegistration.objects.exists()
    appointments = browser.get("/appointments/").content.decode()
    assert "Sports massage" in appointments  # the booking reception made is theirs now


def test_what_the_clinic_holds_is_not_overwritten(register, frozen_now, earlier):
    earlier.phone = "+441332000000"
    earlier.save()
    browser = Client()
    register(browser)
    browser.get(verification_link())
    earlier.refresh_from_db()
    assert earlier.phone == "+441332000000"


def test_opened_elsewhere_the_link_verifies_and_asks_to_sign_in(register, frozen_now, earlier):
    register(Client())
    phone = Client()
    response = phone.get(verification_link())
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
    assert "_auth_user_id" not in phone.session
    signed_in = phone.post(
        "/sign-in/", {"username": "MAYA.PATEL@example.test", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert phone.get("/appointments/").status_code == 200


def test_a_tampered_or_foreign_token_does_nothing(register, frozen_now, earlier):
    register(Client())
    link = verification_link()
    token = parse_qs(urlparse(link).query)["token"][0]
    for bad in (token[:-2] + "xx", "junk", ""):
        response = Client().get("/register/verify/", {"token": bad})
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    earlier.refresh_from_db()
    assert earlier.user is None


def test_an_expired_link_does_nothing_and_signing_in_sends_a_new_one(register, earlier, settings):
    with time_machine.travel(NOW, tick=False):
        register(Client())
        link = verification_link()
    with time_machine.travel(NOW + timedelta(hours=72, minutes=1), tick=False):
        assert Client().get(link).status_code == 400
        earlier.refresh_from_db()
        assert earlier.user is None
        Client().post("/sign-in/", {"username": "maya.patel@example.test", "password": PASSWORD})
        fresh = verification_link()
        assert fresh != link
        assert Client().get(fresh).status_code == 302
    earlier.refresh_from_db()
    assert earlier.user is not None


def test_a_link_opened_twice_is_harmless(register, frozen_now, earlier):
    browser = Client()
    register(browser)
    link = verification_link()
    browser.get(link)
    again = Client().get(link)
    assert again.status_code == 302
    assert Patient.objects.filter(user__isnull=False).count() == 1


def test_a_record_linked_to_someone_else_meanwhile_is_not_handed_over(
    register, frozen_now, earlier, clinic
):
    browser = Client()
    register(browser)
    other = UserFactory(username="someone-else")
    earlier.user = other
    earlier.save()
    browser.get(verification_link())
    user = get_user_model().objects.get(username="maya.patel@example.test")
    own = Patient.objects.get(user=user)
    assert own.pk != earlier.pk
    assert own.clinic == clinic
    assert (own.first_name, own.email) == ("Maya", "maya.patel@example.test")
    earlier.refresh_from_db()
    assert earlier.user == other


def test_an_email_matching_no_record_registers_and_signs_in_at_once(register, frozen_now, clinic):
    browser = Client()
    response = register(browser, email="new.person@example.test")
    assert response.status_code == 302
    assert browser.session["_auth_user_id"]
    assert Patient.objects.get(email="new.person@example.test").user is not None
    assert mail.outbox == []


def test_a_second_registration_for_the_same_address_is_refused(register, frozen_now, earlier):
    register(Client())
    response = register(Client(), email="MAYA.PATEL@example.test")
    assert response.status_code == 200
    assert "already an account" in response.content.decode()
    assert get_user_model().objects.filter(email__iexact="maya.patel@example.test").count() == 1


def test_the_booking_flows_details_step_verifies_too_and_returns_to_the_booking(
    register, frozen_now, earlier, massage
):
    browser = Client()
    confirm = f"/book/derby/{massage.pk}/confirm/"
    query = "?start=2027-03-03T10:00:00%2B00:00&therapist=any"
    response = register(
        browser,
        confirm + query,
        action="register",
        start="2027-03-03T10:00:00+00:00",
        therapist="any",
    )
    assert response.status_code == 200
    assert "Confirm your email address" in response.content.decode()
    earlier.refresh_from_db()
    assert earlier.user is None
    opened = browser.get(verification_link())
    assert opened.status_code == 302
    assert opened["Location"].startswith(confirm)
    earlier.refresh_from_db()
    assert earlier.user is not None


def test_the_verification_link_is_kept_out_of_logs():
    from core.logs import redact

    line = '"GET /register/verify/?token=eyJwIjo0fQ:1abc:xyz&next=/appointments/ HTTP/1.1" 302'
    assert "eyJwIjo0fQ" not in redact(line)
