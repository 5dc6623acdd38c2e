"""Sign-in lock-out (django-axes): 10 failures for one account, or from one address, within 15
minutes lock it; every attempt then answers 429 with Retry-After, the right password too, until
the window passes. Clinic admins unlock their clinics' accounts."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import NOW
from tests.factories import MembershipFactory, PatientFactory, UserFactory

TOKEN = "/api/v1/auth/token/"
UNLOCK = "/api/v1/auth/unlock/"
SIGN_IN = "/sign-in/"
ADMIN_SIGN_IN = "/admin/login/"
PASSWORD = "correct-horse-battery"
LIMIT = 10


def api_sign_in(username, password=PASSWORD, address="203.0.113.5", **headers):
    return APIClient(REMOTE_ADDR=address).post(
        TOKEN, {"username": username, "password": password}, **headers
    )


def fail_api(username, times=LIMIT, address="203.0.113.5", **headers):
    return [api_sign_in(username, "wrong", address, **headers).status_code for _ in range(times)]


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pat(patient):
    return patient.user


def test_ten_failures_lock_the_api_even_for_the_right_password(clock, pat):
    codes = fail_api("pat")
    assert codes[: LIMIT - 1] == [400] * (LIMIT - 1)
    assert codes[-1] == 429  # the tenth failure is the one that locks

    clock.shift(timedelta(minutes=3))
    response = api_sign_in("pat", PASSWORD)
    assert response.status_code == 429
    body = response.json()
    assert body["error"]["code"] == "sign_in_locked"
    assert set(body["error"]) >= {"code", "message", "fields"}
    # Locked at the tenth failure, 15 minutes from then: 12 minutes to go.
    assert response["Retry-After"] == str(12 * 60)
    assert "token" not in body


def test_the_lock_lifts_when_the_window_has_passed(clock, pat):
    fail_api("pat")
    clock.shift(timedelta(minutes=14, seconds=59))
    assert api_sign_in("pat").status_code == 429
    clock.shift(timedelta(seconds=2))
    response = api_sign_in("pat")
    assert response.status_code == 200
    assert "token" in response.json()


def test_knocking_during_the_lock_does_not_extend_it(clock, pat):
    fail_api("pat")
    clock.shift(timedelta(minutes=10))
    assert fail_api("pat", times=5) == [429] * 5
    clock.shift(timedelta(minutes=5, seconds=1))
    assert api_sign_in("pat").status_code == 200


def test_nine_failures_do_not_lock(clock, pat):
    assert fail_api("pat", times=LIMIT - 1) == [400] * (LIMIT - 1)
    assert api_sign_in("pat").status_code == 200


def test_failures_spread_over_more_than_the_window_do_not_add_up(clock, pat):
    fail_api("pat", times=5)
    clock.shift(timedelta(minutes=16))
    fail_api("pat", times=5)
    assert api_sign_in("pat").status_code == 200


def test_an_account_is_one_account_whatever_case_or_email_is_typed(clock, pat):
    names = ["pat", "PAT", "pat@example.test", "Pat@Example.TEST", " pat "]
    for index in range(LIMIT):
        api_sign_in(names[index % len(names)], "wrong", address=f"198.51.100.{index}")
    # Ten addresses, five spellings: still one account, locked, whichever spelling comes next.
    response = api_sign_in("pat@EXAMPLE.test", PASSWORD, address="192.0.2.77")
    assert response.status_code == 429
    assert AccessAttempt.objects.values("username").distinct().count() == 1


def test_one_address_trying_many_accounts_is_locked_out(clock, pat, receptionist):
    for index in range(LIMIT):
        api_sign_in(f"guess{index}", "wrong", address="203.0.113.9")
    assert api_sign_in("rhea", PASSWORD, address="203.0.113.9").status_code == 429
    # Another address is not affected, and neither is the account itself.
    assert api_sign_in("rhea", PASSWORD, address="203.0.113.10").status_code == 200


def test_forwarded_for_is_ignored_unless_a_proxy_of_ours_is_configured(clock, pat):
    # Without TRUSTED_PROXY_COUNT an attacker rotating X-Forwarded-For is one address.
    for index in range(LIMIT):
        api_sign_in(f"guess{index}", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{index}")
    assert api_sign_in("pat", HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(clock, pat, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "10.0.0.2"
    for index in range(LIMIT):
        api_sign_in(f"guess{index}", "wrong", proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    # The proxy's other clients are not locked out with the one that failed.
    assert api_sign_in("pat", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 200
    locked = api_sign_in("pat", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert locked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def test_the_web_sign_in_shows_when_to_try_again(clock, pat):
    browser = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(LIMIT - 1):
        response = browser.post(SIGN_IN, {"username": "pat", "password": "wrong"})
        assert response.status_code == 200
    response = browser.post(SIGN_IN, {"username": "pat", "password": PASSWORD})
    assert response.status_code == 302  # nine failures: the right password still works
    browser.post("/sign-out/")
    for _ in range(LIMIT):
        browser.post(SIGN_IN, {"username": "pat", "password": "wrong"})
    response = browser.post(SIGN_IN, {"username": "pat", "password": PASSWORD})
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    page = response.content.decode()
    assert "Signing in is paused" in page
    assert "09:15" in page  # 09:00 UTC is 09:00 in London in March; locked until 09:15
    assert 'href="/password-reset/"' in page
    assert "_auth_user_id" not in browser.session


def test_the_django_admin_sign_in_is_locked_too(clock, db):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    browser = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(LIMIT):
        browser.post(ADMIN_SIGN_IN, {"username": "boss", "password": "wrong"})
    response = browser.post(ADMIN_SIGN_IN, {"username": "boss", "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    assert "Signing in is paused" in response.content.decode()
    assert "_auth_user_id" not in browser.session


def test_failures_on_one_door_count_at_the_others(clock, pat):
    browser = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(5):
        browser.post(SIGN_IN, {"username": "pat", "password": "wrong"})
    fail_api("pat@example.test", times=4, address="198.51.100.1")
    browser.post(ADMIN_SIGN_IN, {"username": "PAT", "password": "wrong"})
    assert api_sign_in("pat", address="192.0.2.1").status_code == 429


def test_the_limits_come_from_settings(clock, pat, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=2)
    assert fail_api("pat", times=3) == [400, 400, 429]
    response = api_sign_in("pat")
    assert response.status_code == 429
    assert response["Retry-After"] == "120"


# --- unlocking ------------------------------------------------------------------------------


def test_a_clinic_admin_unlocks_their_patient(clock, pat, clinic_admin, api):
    fail_api("pat")
    assert api_sign_in("pat").status_code == 429
    response = api(clinic_admin).post(UNLOCK, {"account": "PAT@example.test"})
    assert response.status_code == 200, response.json()
    assert response.json() == {"account": "pat", "was_locked": True, "failures_cleared": 1}
    assert api_sign_in("pat").status_code == 200


def test_a_clinic_admin_unlocks_their_receptionist(clock, receptionist, clinic_admin, api):
    fail_api("rhea")
    assert api(clinic_admin).post(UNLOCK, {"account": "rhea"}).status_code == 200
    assert api_sign_in("rhea").status_code == 200


def test_another_clinics_admin_cannot_unlock_and_learns_nothing(clock, pat, other_clinic, api):
    other_admin = MembershipFactory(
        user=UserFactory(username="olga"), clinic=other_clinic, role="admin"
    ).user
    fail_api("pat")
    unknown = api(other_admin).post(UNLOCK, {"account": "nobody-here"})
    response = api(other_admin).post(UNLOCK, {"account": "pat"})
    assert response.status_code == unknown.status_code == 404
    assert response.json()["error"]["code"] == unknown.json()["error"]["code"]
    assert api_sign_in("pat").status_code == 429


def test_a_patient_who_booked_at_the_clinic_can_be_unlocked_there(
    clock, other_clinic, clinic_admin, massage, book, api
):
    visitor = PatientFactory(clinic=other_clinic, user=UserFactory(username="vic"))
    book(massage, visitor, "2027-03-02T10:00")
    fail_api("vic")
    assert api(clinic_admin).post(UNLOCK, {"account": "vic"}).status_code == 200


def test_receptionists_and_patients_cannot_unlock(clock, pat, receptionist, api):
    fail_api("pat")
    for caller in (receptionist, pat):
        response = api(caller).post(UNLOCK, {"account": "pat"})
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
    assert api(None).post(UNLOCK, {"account": "pat"}).status_code == 401
    assert api_sign_in("pat").status_code == 429


def test_a_clinic_admin_cannot_unlock_a_superuser(clock, clinic, clinic_admin, api):
    boss = UserFactory(username="boss", is_superuser=True, is_staff=True)
    MembershipFactory(user=boss, clinic=clinic, role="admin")
    fail_api("boss")
    assert api(clinic_admin).post(UNLOCK, {"account": "boss"}).status_code == 404


def test_a_superuser_unlocks_anyone(clock, pat, api):
    boss = UserFactory(username="boss", is_superuser=True, is_staff=True)
    fail_api("pat")
    assert api(boss).post(UNLOCK, {"account": "pat"}).status_code == 200
    assert api_sign_in("pat").status_code == 200


def test_unlocking_an_account_that_is_not_locked_says_so(clock, pat, clinic_admin, api):
    response = api(clinic_admin).post(UNLOCK, {"account": "pat"})
    assert response.json() == {"account": "pat", "was_locked": False, "failures_cleared": 0}


def test_the_admin_action_unlocks_only_the_clinics_accounts(
    clock, pat, clinic_admin, other_receptionist
):
    clinic_admin.is_staff = True
    clinic_admin.save()
    fail_api("pat")
    fail_api("rory", address="203.0.113.99")
    browser = Client()
    browser.force_login(clinic_admin)
    listing = browser.get("/admin/accounts/failedsignin/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert ">pat<" in page
    assert "rory" not in page  # another clinic's account
    assert "203.0.113" not in page  # a clinic admin does not see where attempts came from
    every_row = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = browser.post(
        "/admin/accounts/failedsignin/",
        {"action": "unlock_accounts", "_selected_action": every_row},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="pat").exists()
    assert AccessAttempt.objects.filter(username="rory").exists()
    assert api_sign_in("pat", address="192.0.2.1").status_code == 200


def test_a_receptionist_has_no_lockout_admin(clock, receptionist):
    receptionist.is_staff = True
    receptionist.save()
    browser = Client()
    browser.force_login(receptionist)
    assert browser.get("/admin/accounts/failedsignin/").status_code == 403


# --- isolation between tests -----------------------------------------------------------------


def test_a_lockout_made_in_one_test(clock, pat):
    fail_api("pat", address="127.0.0.1")
    assert api_sign_in("pat", address="127.0.0.1").status_code == 429


def test_is_gone_in_the_next(clock, pat):
    assert not AccessAttempt.objects.exists()
    assert api_sign_in("pat", address="127.0.0.1").status_code == 200


def test_the_counters_never_keep_a_typed_password(clock, pat):
    Client(REMOTE_ADDR="203.0.113.5").post(
        SIGN_IN, {"username": "pat", "password": "my-Secret-guess-1"}
    )
    api_sign_in("pat", "my-Secret-guess-2")
    stored = " ".join(
        f"{a.get_data} {a.post_data} {a.username}" for a in AccessAttempt.objects.all()
    )
    assert "my-Secret-guess" not in stored
