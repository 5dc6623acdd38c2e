"""What notifications knows about bookings, patients and clinics, without importing them.

STYLE §1: `notifications` never imports `booking`. Two things cross the line, both plain frozen
dataclasses:

- **Pushed by booking**: every booking change hands `notify_booking_*` an `Appointment`, built by
  booking from the rows it already loaded in its write path (no look-up from here).
- **Asked at send time and when listing feeds**: the `Directory` booking registers at
  AppConfig.ready() (booking/notification_directory.py) answers the few live questions: a
  patient's current contact details and consents, a clinic's name and time zone, and which
  feeds a user may subscribe to. Whether a booking is still live is not asked: its calendar
  entry is kept in step in the booking's own transaction, so delivery reads it from there.

The one other registration is web's manage-booking link (`register_manage_link`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured


class FeedKind:
    THERAPIST = "therapist"
    ROOM = "room"
    CLINIC = "clinic"
    PATIENT = "patient"


@dataclass(frozen=True)
class Appointment:
    """One booking as calendars and messages see it. `cancelled` is the only status that matters."""

    booking_id: int
    version: int
    cancelled: bool
    start: datetime
    end: datetime
    updated_at: datetime
    clinic_id: int
    therapist_id: int
    room_id: int
    patient_id: int
    treatment_name: str
    therapist_name: str
    room_name: str
    clinic_name: str
    patient_initials: str


@dataclass(frozen=True)
class Contact:
    """How to reach a patient now, and what they agreed to (read live at send time)."""

    patient_id: int
    first_name: str
    email: str
    phone: str
    email_ok: bool
    sms_ok: bool
    reminders_ok: bool


@dataclass(frozen=True)
class ClinicInfo:
    clinic_id: int
    name: str
    address: str
    phone: str
    email: str
    time_zone: str


@dataclass(frozen=True)
class FeedOwner:
    """A calendar a user may subscribe to. `clinic_id` is None for a patient's own feed."""

    kind: str
    owner_id: int
    clinic_id: int | None
    label: str


class Directory(Protocol):
    def contacts(self, patient_ids: set[int]) -> dict[int, Contact]:
        """Current contact details and consents of these patients (missing ids are left out)."""

    def clinics(self, clinic_ids: set[int]) -> dict[int, ClinicInfo]:
        """Current name, address and time zone of these clinics."""

    def feed_owners_for(self, user: Any) -> list[FeedOwner]:
        """Feeds `user` may subscribe to: their own, and every feed of clinics they administer."""


_directory: Directory | None = None


def register_directory(directory: Directory) -> None:
    """Called once by the app that owns bookings, from its AppConfig.ready()."""
    global _directory  # noqa: PLW0603 - one process-wide registration, like booking.eligibility
    _directory = directory


def get_directory() -> Directory:
    if _directory is None:
        raise ImproperlyConfigured(
            "No notifications directory is registered; the booking app registers one in "
            "BookingConfig.ready()."
        )
    return _directory


# The page where a patient manages one booking without signing in belongs to the web app;
# it registers how to build that link (WebConfig.ready), so every email can carry it.
ManageLink = Callable[[int], str]
_manage_link: ManageLink | None = None


def register_manage_link(builder: ManageLink) -> None:
    """`builder(booking_id)` returns an absolute URL, or "" when the booking is unknown."""
    global _manage_link  # noqa: PLW0603 - one process-wide registration, like the directory
    _manage_link = builder


def manage_link(booking_id: int) -> str:
    return _manage_link(booking_id) if _manage_link is not None else ""


# The signed-in page of one appointment (web): where a patient reads the aftercare advice from a
# session. Emails only link to it, so no clinical detail travels by email.
_appointment_link: ManageLink | None = None


def register_appointment_link(builder: ManageLink) -> None:
    """`builder(booking_id)` returns the absolute URL of the patient's appointment page."""
    global _appointment_link  # noqa: PLW0603 - one process-wide registration, like the directory
    _appointment_link = builder


def appointment_link(booking_id: int) -> str:
    return _appointment_link(booking_id) if _appointment_link is not None else ""
