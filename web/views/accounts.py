"""Signing in and out, and creating a patient account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from booking.models import Clinic
from booking.selectors import access_for

from .. import services
from ..errors import AccountExists
from ..forms import RegistrationForm, SignInForm
from .common import page


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


class SignInView(LoginView):
    template_name = "web/accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    extra_context = {"base_template": "web/base.html"}

    def get_default_redirect_url(self):
        return landing_for(self.request)


class SignOutView(LogoutView):
    next_page = "web:home"


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(landing_for(request))
    clinics = Clinic.objects.all()
    single = clinics.count() == 1
    form = RegistrationForm(request.POST or None, clinics=None if single else clinics)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST" and form.is_valid():
        clinic = clinics.first() if single else form.cleaned_data["clinic"]
        if register_and_sign_in(request, form, clinic) is not None:
            return redirect(next_url or reverse("web:appointments"))
    return page(request, "web/accounts/register.html", {"form": form, "next": next_url})


def register_and_sign_in(request: HttpRequest, form: RegistrationForm, clinic: Clinic):
    """Create the patient's account from a valid form and sign them in; the Patient, or None
    with the form's email field explaining that the account already exists."""
    values = form.cleaned_data
    try:
        patient = services.register_patient(
            clinic=clinic,
            email=values["email"],
            password=values["password1"],
            first_name=values["first_name"],
            last_name=values["last_name"],
            phone=values["phone"],
            date_of_birth=values["date_of_birth"],
            consents_to_email=values["consents_to_email"],
            consents_to_sms=values["consents_to_sms"],
        )
    except AccountExists as error:
        form.add_error("email", error.message)
        return None
    login(request, patient.user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, f"Welcome, {patient.first_name}. Your account is ready.")
    return patient
