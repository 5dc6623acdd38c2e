"""What can go wrong with a patient's data rights."""

from core.api import DomainError


class PatientErased(DomainError):
    code = "patient_erased"
    default_message = (
        "This patient's data was erased at their request; they can no longer be booked."
    )
