"""Signing in and out, resetting a forgotten password, and creating a patient account."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from accounts import registration
from accounts.errors import AccountExists, VerificationLinkInvalid
from accounts.lockout import unlock_account
from booking.models import Clinic
from booking.selectors import access_for
from core.throttles import PasswordResetThrottle, RegistrationThrottle, wait_before

from .. import services
from ..forms import PasswordResetRequestForm, RegistrationForm, SignInForm
from .common import page

# The one backend every sign-in goes through (settings.AUTHENTICATION_BACKENDS).
SIGN_IN_BACKEND = "accounts.backends.EmailOrUsernameBackend"
_PENDING_SESSION_KEY = "pending_registration_user"


def landing_for(request: HttpRequest) -> str:
    """Where a user starts: reception to the diary, therapists to their day, patients to theirs."""
    access = access_for(request)
    if access.is_superuser or any(access.manages(clinic_id) for clinic_id in access.roles):
        return reverse("web:diary_home")
    if access.therapist is not None:
        return reverse("web:therapist_day")
    if access.patient is not None:
        return reverse("web:appointments")
    return reverse("web:home")


def too_many_requests(request: HttpRequest, seconds: float, message: str) -> HttpResponse:
    """429 with Retry-After, as a page saying how long to wait."""
    seconds = max(1, math.ceil(seconds))
    response = page(
        request,
        "web/accounts/too_many_requests.html",
        {"message": message, "minutes": max(1, math.ceil(seconds / 60))},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def _safe_next(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return ""
    return next_url


class SignInView(auth_views.LoginView):
    """Sign in with a username or email address (any case). Too many failures lock the account
    and the address for a while (django-axes answers 429, accounts/lockout.py)."""

    template_name = "web/accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    extra_context = {"base_template": "web/base.html"}

    def get_default_redirect_url(self):
        return landing_for(self.request)

    def form_valid(self, form):
        user = form.get_user()
        pending = registration.pending_for(user)
        if pending is not None:
            # The right password, but the email address is not verified yet: no session, and
            # a fresh link in case the first one was lost or has expired.
            registration.send_verification(pending.pk, next_url=self.get_redirect_url())
            return page(
                self.request,
                "web/accounts/verify_email_sent.html",
                {"email": user.email, "hours": settings.EMAIL_VERIFICATION_MAX_AGE_HOURS},
            )
        return super().form_valid(form)


class SignOutView(auth_views.LogoutView):
    next_page = "web:home"


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, in our pages: every address gets the same answer, known or not,
    and the email holds a one-time link and nothing about the person's care."""

    template_name = "web/accounts/password_reset_form.html"
    email_template_name = "web/accounts/password_reset_email.txt"
    subject_template_name = "web/accounts/password_reset_subject.txt"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        wait = wait_before(request, PasswordResetThrottle())
        if wait is not None:
            return too_many_requests(
                request, wait, "Too many password reset requests from here in a short time."
            )
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        self.extra_email_context = {
            "site_url": settings.SITE_URL,
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/accounts/password_reset_done.html"
    extra_context = {"hours": settings.PASSWORD_RESET_TIMEOUT // 3600}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever could open the link owns the address: failed sign-ins counted against the
        # account no longer stand between them and their new password.
        unlock_account(form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/accounts/password_reset_complete.html"


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(landing_for(request))
    clinics = Clinic.objects.all()
    single = clinics.count() == 1
    form = RegistrationForm(request.POST or None, clinics=None if single else clinics)
    next_url = _safe_next(request)
    if request.method == "POST" and form.is_valid():
        clinic = clinics.first() if single else form.cleaned_data["clinic"]
        done = register_and_sign_in(
            request, form, clinic, next_url=next_url or reverse("web:appointments")
        )
        if done is not None:
            return done
    return page(request, "web/accounts/register.html", {"form": form, "next": next_url})


def register_and_sign_in(
    request: HttpRequest, form: RegistrationForm, clinic: Clinic, *, next_url: str
) -> HttpResponse | None:
    """Create the patient's account from a valid form (the registration page and the booking
    flow's details step both come here). Returns where to go next: `next_url`, signed in; or,
    when the email matches a record the clinic made earlier, a page asking them to open the
    link we emailed (the record is linked only once the address is verified); or 429 when too
    many accounts were made from here. None with the form's email field explaining that the
    account already exists."""
    wait = wait_before(request, RegistrationThrottle())
    if wait is not None:
        return too_many_requests(
            request, wait, "Too many accounts have been created from here in a short time."
        )
    values = form.cleaned_data
    details = {
        "email": values["email"],
        "password": values["password1"],
        "first_name": values["first_name"],
        "last_name": values["last_name"],
        "phone": values["phone"],
        "date_of_birth": values["date_of_birth"],
        "consents_to_email": values["consents_to_email"],
        "consents_to_sms": values["consents_to_sms"],
    }
    earlier = registration.earlier_record_for(values["email"], clinic=clinic)
    try:
        if earlier is not None:
            pending = registration.register_pending(
                clinic=clinic, patient=earlier, next_url=next_url, **details
            )
        else:
            patient = services.register_patient(clinic=clinic, **details)
    except AccountExists as error:
        form.add_error("email", error.message)
        return None
    if earlier is not None:
        # Opened in this browser, the link signs them straight in; elsewhere they sign in.
        request.session[_PENDING_SESSION_KEY] = pending.user_id
        return page(
            request,
            "web/accounts/verify_email_sent.html",
            {"email": pending.user.email, "hours": settings.EMAIL_VERIFICATION_MAX_AGE_HOURS},
        )
    login(request, patient.user, backend=SIGN_IN_BACKEND)
    messages.success(request, f"Welcome, {patient.first_name}. Your account is ready.")
    return redirect(next_url)


def verify_email(request: HttpRequest) -> HttpResponse:
    """The link from the verification email: link the account to the clinic's record."""
    try:
        user = registration.verify_and_link(request.GET.get("token", ""))
    except VerificationLinkInvalid as error:
        return page(
            request, "web/accounts/verify_email_failed.html", {"message": error.message}, status=400
        )
    next_url = _safe_next(request)
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect(next_url or reverse("web:appointments"))
    if request.session.get(_PENDING_SESSION_KEY) == user.pk:
        del request.session[_PENDING_SESSION_KEY]
        login(request, user, backend=SIGN_IN_BACKEND)
        messages.success(request, "Thank you: your email address is confirmed.")
        return redirect(next_url or reverse("web:appointments"))
    messages.success(request, "Thank you: your email address is confirmed. Please sign in.")
    login_url = reverse("web:login")
    return redirect(f"{login_url}?{urlencode({'next': next_url})}" if next_url else login_url)
