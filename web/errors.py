"""Domain errors raised by the web app's own services (registration, desk bookings)."""

from rest_framework import status

from core.api import DomainError


class PatientNotChosen(DomainError):
    code = "patient_not_chosen"
    default_message = "Choose a patient or add a new one."


class AccountExists(DomainError):
    code = "account_exists"
    http_status = status.HTTP_409_CONFLICT
    default_message = "There is already an account with that email address; please sign in."
