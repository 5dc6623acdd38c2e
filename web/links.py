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

    Pass `base_url` (e.g. settings.SITE_URL) for an absolute link; without it the path alone is
    returned, for links within the site.
    """
    path = reverse("web:manage", kwargs={"token": manage_token(booking)})
    return f"{base_url.rstrip('/')}{path}" if base_url else path


def manage_link_for_booking_id(booking_id: int) -> str:
    """The absolute manage link for emails (SITE_URL + path), or "" for an unknown booking."""
    booking = Booking.objects.filter(pk=booking_id).only("uid").first()
    return manage_booking_url(booking, base_url=settings.SITE_URL) if booking else ""


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
