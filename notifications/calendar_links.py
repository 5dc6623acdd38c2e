"""Add-to-calendar links for Google Calendar and Outlook, and a map link for the clinic.

The links describe the event exactly as the .ics file and the invitations do (the same
summary naming only the clinic, the same location and description: rendering.appointment_event),
so no clinical detail reaches a calendar whichever way the patient adds it. Times are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from urllib.parse import urlencode

from .directory import ClinicInfo, get_directory
from .models import CalendarEntry
from .rendering import appointment_event, one_line_address, reference


@dataclass(frozen=True)
class AppointmentLinks:
    reference: str
    google: str
    outlook: str
    map: str  # "" when the clinic has no address


def map_link(clinic_name: str, address: str) -> str:
    """A maps search for the clinic, which phones open in their maps app."""
    line = one_line_address(address)
    if not line:
        return ""
    return "https://www.google.com/maps/search/?" + urlencode(
        {"api": "1", "query": f"{clinic_name}, {line}"}
    )


def links_for(entry: CalendarEntry, clinic: ClinicInfo | None) -> AppointmentLinks:
    event = appointment_event(entry, clinic, cancelled=False)
    start, end = entry.start.astimezone(UTC), entry.end.astimezone(UTC)
    google = "https://calendar.google.com/calendar/render?" + urlencode(
        {
            "action": "TEMPLATE",
            "text": event.summary,
            "dates": f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}",
            "details": event.description,
            "location": event.location,
        }
    )
    outlook = "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": event.summary,
            "startdt": f"{start:%Y-%m-%dT%H:%M:%SZ}",
            "enddt": f"{end:%Y-%m-%dT%H:%M:%SZ}",
            "body": event.description,
            "location": event.location,
        }
    )
    where = map_link(clinic.name, clinic.address) if clinic is not None else ""
    return AppointmentLinks(reference=reference(entry), google=google, outlook=outlook, map=where)


def appointment_links(booking_id: int) -> AppointmentLinks | None:
    """The links for one booking, or None for a booking notifications never recorded."""
    entry = CalendarEntry.objects.filter(booking_id=booking_id).first()
    if entry is None:
        return None
    return links_for(entry, get_directory().clinics({entry.clinic_id}).get(entry.clinic_id))
