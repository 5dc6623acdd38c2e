"""Warnings other apps attach to bookings without booking importing them.

Whoever books or opens a booking may need to know something recorded elsewhere (for example,
the session-notes app warns that a serious adverse event followed the patient's last
needling). An app adds a provider with `booking.extensions.add_advisory_provider` in its
AppConfig.ready(); the bookings API shows what the providers return as the booking's `warnings`. Providers get a page of bookings at once, so a
list costs a few queries, not a few per booking. Warnings carry no clinical detail: reception
reads them too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from .extensions import EXTENSIONS


@dataclass(frozen=True)
class Advisory:
    code: str
    message: str


def advisories_for(bookings: Iterable) -> dict[int, list[dict]]:
    """Every registered provider's warnings per booking id, as plain dicts."""
    bookings = list(bookings)
    found: dict[int, list[dict]] = {}
    if not bookings:
        return found
    for provider in EXTENSIONS.advisory_providers:
        for booking_id, items in provider(bookings).items():
            found.setdefault(booking_id, []).extend(asdict(item) for item in items)
    return found
