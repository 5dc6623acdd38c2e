"""Forms of the web pages: input shapes only; the rules live in the services they feed.

Split by page (fields shared by several, accounts, appointments, the diary); everything is
re-exported here, so `from web.forms import X` stays the way to import any of them.
"""

from .accounts import PasswordResetRequestForm, RegistrationForm, SignInForm
from .appointments import CancelForm, NeedlingConsentForm, PatientCancelForm
from .diary import BlockForm, DeskBookingForm, MoveForm, StatusForm, WaitlistForm
from .fields import (
    DateInput,
    DateOfBirthField,
    PhoneField,
    TherapistChoiceField,
    TimeInput,
    TreatmentChoiceField,
    TreatmentSelect,
    qualified_therapists_by_treatment,
)

__all__ = [
    "BlockForm",
    "CancelForm",
    "DateInput",
    "DateOfBirthField",
    "DeskBookingForm",
    "MoveForm",
    "NeedlingConsentForm",
    "PasswordResetRequestForm",
    "PatientCancelForm",
    "PhoneField",
    "RegistrationForm",
    "SignInForm",
    "StatusForm",
    "TherapistChoiceField",
    "TimeInput",
    "TreatmentChoiceField",
    "TreatmentSelect",
    "WaitlistForm",
    "qualified_therapists_by_treatment",
]
