"""Password reset by email for every role, with Django's own views in the site's pages."""

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

RESET = "/password-reset/"
NEW_PASSWORD = "a-brand-new-passphrase-42"


def request_reset(email, browser=None):
    return (browser or Client()).post(RESET, {"email": email})


def link_in(message) -> str:
    match = re.search(r"http://testserver(/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def set_new_password(link, password=NEW_PASSWORD):
    browser = Client()
    form_page = browser.get(link, follow=True)  # Django swaps the token for a session first
    assert form_page.status_code == 200
    action = form_page.redirect_chain[-1][0]
    return browser.post(action, {"new_password1": password, "new_password2": password})


def can_sign_in(username, password):
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": password})
    return response.status_code == 200


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"


@pytest.mark.parametrize(
    "person", ["patient_user", "receptionist", "clinic_admin", "tess_user", "other_receptionist"]
)
def test_every_role_can_reset_their_password(request, person):
    user = request.getfixturevalue(person)
    response = request_reset(user.email.upper())
    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert set_new_password(link_in(mail.outbox[0])).status_code == 302
    assert can_sign_in(user.username, NEW_PASSWORD)
    assert not can_sign_in(user.username, "correct-horse-battery")


def test_an_unknown_address_gets_the_same_answer_and_no_email(db, patient_user):
    known = request_reset(patient_user.email)
    unknown = request_reset("nobody@example.test")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1
    sent_page = Client().get("/password-reset/sent/").content.decode()
    assert "If an account uses that email address" in sent_page


def test_the_email_carries_a_link_and_nothing_about_care(patient, therapist, massage, book):
    book(massage, patient, "2027-03-02T10:00", therapist=therapist)
    request_reset(patient.user.email)
    message = mail.outbox[0]
    text = f"{message.subject}\n{message.body}"
    assert message.subject == "Reset your physiodesk password"
    for clinical in ("massage", "Tess", "Derby", "2 March", "appointment", "treatment"):
        assert clinical.lower() not in text.lower()
    assert "pat" in message.body  # their username, so they know what to sign in with


def test_a_reset_link_works_once(patient_user):
    request_reset(patient_user.email)
    link = link_in(mail.outbox[0])
    assert set_new_password(link).status_code == 302
    page = Client().get(link, follow=True).content.decode()
    assert "This link no longer works" in page


def test_a_tampered_link_does_not_work(patient_user):
    request_reset(patient_user.email)
    link = link_in(mail.outbox[0])
    page = Client().get(link[:-3] + "xx/", follow=True).content.decode()
    assert "This link no longer works" in page
    assert can_sign_in("pat", "correct-horse-battery")


def test_resetting_the_password_lifts_the_accounts_lock(patient_user):
    for _ in range(10):
        APIClient().post("/api/v1/auth/token/", {"username": "pat", "password": "wrong"})
    assert not can_sign_in("pat", "correct-horse-battery")
    request_reset(patient_user.email)
    set_new_password(link_in(mail.outbox[0]))
    assert not AccessAttempt.objects.filter(username="pat").exists()
    assert can_sign_in("pat", NEW_PASSWORD)


def test_a_weak_new_password_is_refused_with_a_reason(patient_user):
    request_reset(patient_user.email)
    response = set_new_password(link_in(mail.outbox[0]), password="12345678")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert can_sign_in("pat", "correct-horse-battery")


def test_reset_requests_are_rate_limited(db, patient_user, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "password_reset": "2/hour",
        },
    }
    cache.clear()
    try:
        browser = Client()
        assert [request_reset(patient_user.email, browser).status_code for _ in range(2)] == [
            302,
            302,
        ]
        response = request_reset(patient_user.email, browser)
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 3600
        assert "Please wait a moment" in response.content.decode()
        assert len(mail.outbox) == 2
    finally:
        cache.clear()


def test_the_pages_match_the_site(db):
    page = Client().get(RESET).content.decode()
    assert "Reset your password" in page
    assert "web/app.css" in page  # the site's own layout
    assert 'autocomplete="email"' in page
