"""Domain errors raised by the web app's own services (registration, desk bookings)."""

from core.api import DomainError


class PatientNotChosen(DomainError):
    code = "patient_not_chosen"
    default_message = "Choose a patient or add a new one."
