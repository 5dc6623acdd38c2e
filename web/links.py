"""Signed links that let a patient manage one booking from an email without signing in.

The token is the booking's uid signed with the project's SECRET_KEY (TimestampSigner, own salt).
It survives reschedules (the uid does not change) and carries no personal data. Rotating
SECRET_KEY revokes every link at once.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from booking.models import Booking

_SALT = "web.manage-booking"

# Long enough for a booking made at the edge of any sensible booking horizon to be managed up to
# its day; the page itself refuses changes once the session has started.
MAX_AGE = timedelta(days=400)


def manage_token(booking: Booking) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(booking.uid.hex)


def manage_booking_url(booking: Booking, *, base_url: str | None = None) -> str:
    """The link for emails: view, reschedule or cancel this booking without signing in.

    Pass `base_url` (e.g. "https://book.example-clinic.co.uk") for an absolute link; otherwise
    settings.SITE_URL is used when set, else the path alone is returned.
    """
    path = reverse("web:manage", kwargs={"token": manage_token(booking)})
    base = base_url if base_url is not None else getattr(settings, "SITE_URL", "")
    return f"{base.rstrip('/')}{path}" if base else path


def booking_for_token(token: str) -> Booking | None:
    """The booking a token names, or None for a forged, damaged or expired token."""
    try:
        uid_hex = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    return (
        Booking.objects.select_related("clinic", "treatment", "therapist", "room", "patient")
        .filter(uid=uid_hex)
        .first()
    )
