"""In a real browser on a phone: forgotten password, the lock-out page and registering with an
email the clinic already has. Each page is photographed and checked with axe-core."""

import re

import pytest
from django.core import mail

from booking.models import Patient
from tests.factories import PatientFactory

from .pages import PHONE, shot


@pytest.mark.django_db(transaction=True)
def test_a_patient_resets_a_forgotten_password(open_page, clock, patient, settings):
    page = open_page(PHONE)
    page.goto("/sign-in/")
    page.get_by_role("link", name="Forgot password?").click()
    shot(page, "account-01-forgot-password-360")
    page.get_by_label("Email address").fill("PAT@example.test")
    page.get_by_role("button", name="Email me a link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    shot(page, "account-02-reset-sent-360")
    link = re.search(r"(/reset/\S+/)", mail.outbox[0].body).group(1)
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("a-brand-new-passphrase-42")
    page.get_by_label("New password confirmation").fill("a-brand-new-passphrase-42")
    shot(page, "account-03-new-password-360")
    page.get_by_role("button", name="Save my new password").click()
    page.get_by_role("heading", name="Your password has been changed").wait_for()
    page.get_by_role("link", name="Sign in").last.click()
    page.get_by_label("Email address or username").fill("pat@example.test")
    page.get_by_label("Password").fill("a-brand-new-passphrase-42")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/appointments/")
    patient.user.refresh_from_db()
    assert patient.user.check_password("a-brand-new-passphrase-42")
    assert len(mail.outbox) == 1  # one reset email, to the address asked for in another case
    assert mail.outbox[0].to == [patient.user.email]


@pytest.mark.django_db(transaction=True)
def test_the_lock_out_page_says_when_to_try_again(open_page, clock, patient):
    page = open_page(PHONE)
    for _ in range(10):
        page.goto("/sign-in/")
        page.get_by_label("Email address or username").fill("pat")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Signing in is paused for a while").wait_for()
    assert "Please try again after" in page.inner_text("main")
    shot(page, "account-04-locked-out-360")


@pytest.mark.django_db(transaction=True)
def test_registering_with_the_clinics_record_of_you_asks_to_confirm_the_address(
    open_page, clock, clinic, settings
):
    settings.SITE_URL = ""  # the link in the email is then a path on the live server
    earlier = PatientFactory(
        clinic=clinic, user=None, first_name="Maya", last_name="Patel", email="maya@example.test"
    )
    page = open_page(PHONE)
    page.goto("/register/")
    page.get_by_label("First name").fill("Maya")
    page.get_by_label("Last name").fill("Patel")
    page.get_by_label("Email address").fill("Maya@Example.test")
    page.get_by_label("Choose a password").fill("a-long-passphrase")
    page.get_by_label("Type the password again").fill("a-long-passphrase")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Confirm your email address").wait_for()
    shot(page, "account-05-confirm-your-email-360")
    earlier.refresh_from_db()
    assert earlier.user is None
    link = re.search(r"(/register/verify/\?\S+)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.wait_for_url("**/appointments/")
    assert Patient.objects.get(pk=earlier.pk).user is not None
