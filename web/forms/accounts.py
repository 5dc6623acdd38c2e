"""Sign-in, password reset and registration forms."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.models import User

from .fields import (
    DateOfBirthField,
    PhoneField,
)


class SignInForm(AuthenticationForm):
    """Django's sign-in form with labels in our words; patients sign in with their email."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address or username"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none"}
        )
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form (one answer for known and unknown addresses alike), in our words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "autofocus": True})


class RegistrationForm(forms.Form):
    first_name = forms.CharField(
        max_length=80, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=80, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = PhoneField(label="Mobile number", required=False)
    date_of_birth = DateOfBirthField(required=False)
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not only numbers, and not a common password.",
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consents_to_email = forms.BooleanField(
        label="Email me appointment reminders", required=False, initial=True
    )
    consents_to_sms = forms.BooleanField(label="Text me appointment reminders", required=False)
    accepts_privacy_notice = forms.BooleanField(
        label="I have read the privacy notice and agree to the clinic keeping my health records",
        error_messages={"required": "Please accept the privacy notice to create an account."},
    )

    def __init__(self, *args, clinics=None, **kwargs):
        super().__init__(*args, **kwargs)
        if clinics is not None:
            self.fields["clinic"] = forms.ModelChoiceField(
                queryset=clinics, label="Your clinic", empty_label=None
            )
            self.order_fields(["clinic"])

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords do not match.")
        elif first:
            probe = User(
                username=data.get("email", ""),
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
