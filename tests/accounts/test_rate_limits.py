"""Rate limits (DRF throttles, core/throttles.py) on public availability, new bookings and
registration: over the limit, 429 with Retry-After; the rates come from settings."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from booking.models import Booking

AVAILABILITY = "/api/v1/availability/"
BOOKINGS = "/api/v1/bookings/"

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def rates(settings):
    """rates(scope="N/period") lowers one scope's limit for this test, on a clean counter."""

    def lower(**scopes):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **scopes,
            },
        }

    cache.clear()
    yield lower
    cache.clear()


def search(massage, client=None, **extra):
    return (client or APIClient()).get(
        AVAILABILITY, {"treatment": massage.pk, "start": "2027-03-02", "end": "2027-03-02"}, **extra
    )


def test_the_suite_runs_far_below_its_own_limits(settings):
    # Test settings raise every limit so no test is throttled by accident; this file lowers them.
    for rate in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].values():
        count, _ = rate.split("/")
        assert int(count) >= 100_000


def test_the_production_defaults_are_set_per_scope():
    from config import settings as production

    rates = production.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert set(rates) >= {"availability", "booking", "registration"}
    assert all(rate and "/" in rate for rate in rates.values())


def test_availability_answers_429_with_retry_after_over_the_limit(rates, massage):
    rates(availability="3/minute")
    assert [search(massage).status_code for _ in range(3)] == [200, 200, 200]
    response = search(massage)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert set(response.json()["error"]) >= {"code", "message", "fields"}
    assert 0 < int(response["Retry-After"]) <= 60


def test_availability_is_counted_per_client_address(rates, massage):
    rates(availability="2/minute")
    for _ in range(2):
        search(massage, REMOTE_ADDR="203.0.113.1")
    assert search(massage, REMOTE_ADDR="203.0.113.1").status_code == 429
    assert search(massage, REMOTE_ADDR="203.0.113.2").status_code == 200


def test_a_forged_forwarded_for_does_not_dodge_the_limit(rates, massage):
    rates(availability="2/minute")
    codes = [search(massage, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_new_bookings_are_limited_but_reading_them_is_not(rates, api, patient, massage, room):
    rates(booking="2/minute")
    client = api(patient.user)
    starts = ["2027-03-02T10:00:00Z", "2027-03-02T11:00:00Z", "2027-03-02T12:00:00Z"]
    codes = [
        client.post(BOOKINGS, {"treatment": massage.pk, "start": s}).status_code for s in starts
    ]
    assert codes == [201, 201, 429]
    assert Booking.objects.count() == 2  # the refused one wrote nothing
    assert client.get(BOOKINGS).status_code == 200
    booking = Booking.objects.first()
    assert client.post(f"{BOOKINGS}{booking.pk}/cancel/", {}).status_code == 200


def test_booking_limits_are_per_user(rates, api, patient, receptionist, massage, room):
    rates(booking="1/minute")
    assert (
        api(patient.user)
        .post(BOOKINGS, {"treatment": massage.pk, "start": "2027-03-02T10:00:00Z"})
        .status_code
        == 201
    )
    response = api(receptionist).post(
        BOOKINGS,
        {"treatment": massage.pk, "start": "2027-03-02T11:00:00Z", "patient": patient.pk},
    )
    assert response.status_code == 201


def registration(email):
    return {
        "first_name": "Nia",
        "last_name": "Evans",
        "email": email,
        "password1": "a-long-passphrase",
        "password2": "a-long-passphrase",
        "consents_to_email": "on",
        "accepts_privacy_notice": "on",
    }


def test_web_registration_is_limited_per_address(rates, clinic):
    rates(registration="2/hour")
    codes = [
        Client(REMOTE_ADDR="203.0.113.7").post("/register/", registration(f"n{n}@example.test"))
        for n in range(3)
    ]
    assert [response.status_code for response in codes] == [302, 302, 429]
    refused = codes[-1]
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "Please wait a moment" in refused.content.decode()
    assert not get_user_model().objects.filter(email="n2@example.test").exists()
    other = Client(REMOTE_ADDR="203.0.113.8").post("/register/", registration("n3@example.test"))
    assert other.status_code == 302


def test_an_unreachable_cache_never_stops_a_booking(
    rates, api, patient, massage, room, monkeypatch
):
    """The counts live in Redis; while it is away bookings go ahead uncounted, not as 500s."""
    rates(booking="1/minute")

    def unreachable(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(cache, "get", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)
    client = api(patient.user)
    starts = ["2027-03-02T10:00:00Z", "2027-03-02T11:00:00Z"]
    codes = [
        client.post(BOOKINGS, {"treatment": massage.pk, "start": s}).status_code for s in starts
    ]
    assert codes == [201, 201]
    assert Booking.objects.count() == 2
