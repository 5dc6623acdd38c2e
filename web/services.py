"""Writes behind the web pages: registering patients and desk bookings.

Booking rules stay in booking.services; these functions add what a page needs around them
(a new patient created in the same transaction as their first booking). The waiting list has
its own app (waitlist.services).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import AccountExists
from accounts.registration import refuse_taken_address
from booking.models import Booking, Channel, Clinic, Patient, Room, Therapist, Treatment
from booking.services import book_session

from . import errors


def register_patient(
    *,
    clinic: Clinic,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    phone: str = "",
    date_of_birth: date | None = None,
    consents_to_email: bool = True,
    consents_to_sms: bool = False,
    now: datetime | None = None,
) -> Patient:
    """Create a sign-in (username = email) and the patient record it belongs to.

    The caller has validated the password and that the privacy notice was accepted; the time of
    acceptance is recorded. An existing account with that email raises AccountExists and nothing
    is written. A patient record the clinic made earlier is not linked automatically: the email
    address has not been verified, so linking would hand that record to whoever typed it.
    """
    email = email.strip().lower()
    user_model = get_user_model()
    refuse_taken_address(email)
    try:
        with transaction.atomic():
            user = user_model.objects.create_user(
                username=email,
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
            )
            return Patient.objects.create(
                user=user,
                clinic=clinic,
                first_name=first_name,
                last_name=last_name,
                email=email,
                phone=phone,
                date_of_birth=date_of_birth,
                consents_to_email=consents_to_email,
                consents_to_sms=consents_to_sms,
                privacy_notice_accepted_at=now or timezone.now(),
            )
    except IntegrityError as exc:  # the same email registered a moment ago
        raise AccountExists() from exc


@dataclass(frozen=True)
class NewPatient:
    """A patient added at the desk while booking."""

    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""


def book_at_reception(
    *,
    treatment: Treatment,
    start: datetime,
    booked_by,
    patient: Patient | None = None,
    new_patient: NewPatient | None = None,
    therapist: Therapist | None = None,
    room: Room | None = None,
    channel: str = Channel.RECEPTION,
    notes: str = "",
) -> Booking:
    """Book at the desk (online-booking policy does not apply) for a patient, perhaps a new one.

    A new patient is created in the same transaction as the booking, so a refused booking
    leaves no half-registered patient behind. Raises what book_session raises.
    """
    if (patient is None) == (new_patient is None):
        raise errors.PatientNotChosen()
    with transaction.atomic():
        if patient is None:
            patient = Patient.objects.create(
                clinic=treatment.clinic,
                first_name=new_patient.first_name,
                last_name=new_patient.last_name,
                email=new_patient.email,
                phone=new_patient.phone,
            )
        return book_session(
            treatment=treatment,
            start=start,
            patient=patient,
            therapist=therapist,
            room=room,
            booked_by=booked_by,
            channel=channel,
            apply_policy=False,
            notes=notes,
        )
