"""API tokens: issued with an expiry, stored hashed, revoked by logout, by the user or by
deactivating the account."""

from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import AuthToken
from tests.conftest import NOW

TOKEN = "/api/v1/auth/token/"
LOGOUT = "/api/v1/auth/logout/"
TOKENS = "/api/v1/auth/tokens/"
ME = "/api/v1/bookings/"


PASSWORD = "correct-horse-battery"  # every factory user's


def sign_in(username="pat", password=PASSWORD, **extra) -> dict:
    response = APIClient().post(TOKEN, {"username": username, "password": password}, **extra)
    assert response.status_code == 200, response.json()
    return response.json()


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def pat(patient):
    return patient.user


def test_it_returns_a_token_that_expires_in_ten_hours(frozen_now, pat):
    body = sign_in()
    assert set(body) == {"token", "expires_at"}
    assert body["expires_at"] == "2027-03-01T19:00:00Z"
    assert with_token(body["token"]).get(ME).status_code == 200


def test_it_stores_only_a_hash_of_the_token(pat):
    secret = sign_in()["token"]
    row = AuthToken.objects.get(user=pat)
    stored = [str(value) for value in row.__dict__.values()]
    assert all(secret not in value for value in stored)
    assert len(row.digest) == 128  # SHA-512


def test_the_lifetime_comes_from_settings(frozen_now, pat, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(hours=1)}
    assert sign_in()["expires_at"] == "2027-03-01T10:00:00Z"


def test_an_expired_token_is_refused_and_deleted(pat):
    with time_machine.travel(NOW, tick=False):
        secret = sign_in()["token"]
    with time_machine.travel(NOW + timedelta(hours=10, seconds=1), tick=False):
        response = with_token(secret).get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert not AuthToken.objects.filter(user=pat).exists()


def test_logout_revokes_only_the_calling_token(pat):
    phone, laptop = sign_in()["token"], sign_in()["token"]
    assert with_token(phone).post(LOGOUT).status_code == 204
    assert with_token(phone).get(ME).status_code == 401
    assert with_token(laptop).get(ME).status_code == 200


def test_logout_needs_a_token(pat):
    assert APIClient().post(LOGOUT).status_code == 401


def test_a_user_lists_their_own_live_tokens(pat, receptionist):
    phone = sign_in(HTTP_USER_AGENT="Clinic app/2.1 (Android)")["token"]
    sign_in()
    sign_in("rhea")
    listed = with_token(phone).get(TOKENS).json()
    assert len(listed) == 2
    assert [token["current"] for token in listed].count(True) == 1
    current = next(token for token in listed if token["current"])
    assert current["client"] == "Clinic app/2.1 (Android)"
    assert set(current) == {"id", "created", "expires_at", "client", "current"}


def test_a_user_revokes_another_of_their_tokens(pat):
    phone, laptop = sign_in()["token"], sign_in()["token"]
    laptop_id = AuthToken.objects.filter(user=pat).order_by("-created", "-id").first().pk
    assert with_token(phone).delete(f"{TOKENS}{laptop_id}/").status_code == 204
    assert with_token(laptop).get(ME).status_code == 401
    assert with_token(phone).get(ME).status_code == 200


def test_nobody_revokes_someone_elses_token(pat, receptionist):
    mine = sign_in()["token"]
    sign_in("rhea")
    theirs = AuthToken.objects.get(user=receptionist)
    assert with_token(mine).delete(f"{TOKENS}{theirs.pk}/").status_code == 404
    assert AuthToken.objects.filter(pk=theirs.pk).exists()


def test_deactivating_a_user_revokes_all_their_tokens(pat, receptionist):
    tokens = [sign_in()["token"], sign_in()["token"]]
    sign_in("rhea")
    pat.is_active = False
    pat.save()
    assert not AuthToken.objects.filter(user=pat).exists()
    assert AuthToken.objects.filter(user=receptionist).count() == 1
    assert all(with_token(token).get(ME).status_code == 401 for token in tokens)


@pytest.mark.parametrize(
    "junk", ["", "Token", "Token a b", "Token \u00e9t\u00e9", "Token " + "f" * 64]
)
def test_junk_tokens_are_401_not_500(db, junk):
    response = APIClient().get(ME, HTTP_AUTHORIZATION=junk)
    assert response.status_code == 401
