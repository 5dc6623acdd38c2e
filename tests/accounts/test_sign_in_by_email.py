"""Sign in with a username or an email address, in any case, on the web and the API (one
authentication backend, accounts/backends.py)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"


def api_sign_in(username, password=PASSWORD):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password})


def web_sign_in(username, password=PASSWORD):
    browser = Client()
    response = browser.post("/sign-in/", {"username": username, "password": password})
    return response, browser


@pytest.fixture
def tess(db):
    return UserFactory(username="Tess.Physio", email="Tess@Derby-Physio.example")


@pytest.mark.parametrize(
    "typed",
    [
        "Tess.Physio",
        "tess.physio",
        "TESS.PHYSIO",
        "tess@derby-physio.example",
        "TESS@DERBY-PHYSIO.EXAMPLE",
        "  tess@derby-physio.example ",
    ],
)
def test_the_api_takes_a_username_or_email_in_any_case(tess, typed):
    response = api_sign_in(typed)
    assert response.status_code == 200, response.json()
    assert "token" in response.json()


@pytest.mark.parametrize("typed", ["tess.physio", "Tess@derby-physio.EXAMPLE"])
def test_the_web_sign_in_takes_a_username_or_email_in_any_case(tess, typed):
    response, browser = web_sign_in(typed)
    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(tess.pk)
    # The session survives the next request (the backend that signed them in is configured).
    assert browser.get("/").wsgi_request.user == tess


@pytest.mark.parametrize("typed", ["tess.physio", "tess@derby-physio.example", "nobody@x.example"])
def test_a_wrong_password_or_unknown_name_is_refused(tess, typed):
    assert api_sign_in(typed, "wrong-password").status_code == 400
    response, browser = web_sign_in(typed, "wrong-password")
    assert response.status_code == 200
    assert "don't match an account" in response.content.decode()
    assert "_auth_user_id" not in browser.session


def test_an_email_shared_by_two_accounts_signs_in_neither(db):
    UserFactory(username="front-desk", email="desk@clinic.example")
    UserFactory(username="back-office", email="desk@clinic.example")
    assert api_sign_in("desk@clinic.example").status_code == 400
    assert api_sign_in("front-desk").status_code == 200
    assert api_sign_in("back-office").status_code == 200


def test_a_username_that_looks_like_an_email_wins_over_another_accounts_email(db):
    owner = UserFactory(username="pat@example.test", email="pat@example.test")
    UserFactory(username="other", email="PAT@example.test")
    response, browser = web_sign_in("Pat@Example.test")
    assert browser.session["_auth_user_id"] == str(owner.pk)


def test_an_inactive_account_cannot_sign_in_by_either_name(db):
    UserFactory(username="gone", email="gone@example.test", is_active=False)
    assert api_sign_in("gone").status_code == 400
    assert api_sign_in("GONE@example.test").status_code == 400


def test_the_sign_in_page_says_either_works_and_links_forgot_password(db):
    page = Client().get("/sign-in/").content.decode()
    assert "Email address or username" in page
    assert 'href="/password-reset/">Forgot password?</a>' in page
