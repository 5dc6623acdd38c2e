"""Signed links that let a patient manage one booking from an email without signing in.

The token is the booking's uid signed with the project's SECRET_KEY (TimestampSigner, own salt).
It survives reschedules (the uid does not change) and carries no personal data. Rotating
SECRET_KEY revokes every link at once.

A link works only while its booking is still to come: it dies when the booking is cancelled,
once the session has taken place (completed or marked a no-show), and at the session's end
whatever its status. MAX_AGE is only a backstop for links to bookings made far ahead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from booking.models import Booking, BookingStatus

_SALT = "web.manage-booking"

MAX_AGE = timedelta(days=400)

# Why a link no longer works (LinkState.ended).
INVALID = "invalid"
CANCELLED = "cancelled"
HAPPENED = "happened"


@dataclass(frozen=True)
class LinkState:
    """What a manage link leads to: a live booking, or why the link ended (and its booking)."""

    booking: Booking | None
    ended: str = ""

    @property
    def works(self) -> bool:
        return self.booking is not None and not self.ended


def manage_token(booking: Booking) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(booking.uid.hex)


def manage_booking_url(booking: Booking, *, base_url: str | None = None) -> str:
    """The link for emails: view, reschedule or cancel this booking without signing in.

    Pass `base_url` (e.g. settings.SITE_URL) for an absolute link; without it the path alone is
    returned, for links within the site.
    """
    path = reverse("web:manage", kwargs={"token": manage_token(booking)})
    return f"{base_url.rstrip('/')}{path}" if base_url else path


def manage_link_for_booking_id(booking_id: int) -> str:
    """The absolute manage link for emails (SITE_URL + path), or "" for an unknown booking."""
    booking = Booking.objects.filter(pk=booking_id).only("uid").first()
    return manage_booking_url(booking, base_url=settings.SITE_URL) if booking else ""


def appointment_link_for_booking_id(booking_id: int) -> str:
    """The absolute address of the patient's signed-in appointment page, or "" if unknown."""
    booking = Booking.objects.filter(pk=booking_id).only("uid").first()
    if booking is None:
        return ""
    return settings.SITE_URL.rstrip("/") + reverse("web:booking", args=[booking.uid])


def open_manage_link(token: str, *, now: datetime | None = None) -> LinkState:
    """The booking a token names if the link still works; else why it ended."""
    try:
        uid_hex = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=MAX_AGE)
    except signing.BadSignature:
        return LinkState(None, INVALID)
    booking = (
        Booking.objects.select_related("clinic", "treatment", "therapist", "room", "patient")
        .filter(uid=uid_hex)
        .first()
    )
    if booking is None:
        return LinkState(None, INVALID)
    if booking.status == BookingStatus.CANCELLED:
        return LinkState(booking, CANCELLED)
    now = now or timezone.now()
    if booking.status in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW) or booking.end <= now:
        return LinkState(booking, HAPPENED)
    return LinkState(booking)


def booking_for_token(token: str) -> Booking | None:
    """The booking a token names while its link still works, else None."""
    state = open_manage_link(token)
    return state.booking if state.works else None
