"""One booking as an iCalendar file for "add to calendar".

Times are UTC (no VTIMEZONE to get wrong), the UID is the booking's uid so importing the file
again after a reschedule updates the same event, and SEQUENCE follows the booking's version.
The summary names the clinic, not the treatment: calendars are often shared or synced to
third parties, and the treatment is health information.
"""

from __future__ import annotations

from datetime import UTC

from icalendar import Calendar, Event

from booking.models import Booking, BookingStatus


def booking_calendar(booking: Booking, *, manage_url: str = "") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//physiodesk//appointment//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"{booking.uid}@physiodesk")
    event.add("dtstamp", booking.updated_at.astimezone(UTC))
    event.add("dtstart", booking.start.astimezone(UTC))
    event.add("dtend", booking.end.astimezone(UTC))
    event.add("sequence", booking.version - 1)
    event.add("summary", f"Appointment at {booking.clinic.name}")
    event.add(
        "location",
        ", ".join(filter(None, [booking.clinic.name, booking.clinic.address.replace("\n", ", ")])),
    )
    lines = [f"With {booking.therapist.full_name}."]
    if booking.clinic.phone:
        lines.append(f"To change it call {booking.clinic.phone}.")
    if manage_url:
        lines.append(f"Change or cancel online: {manage_url}")
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if booking.status == BookingStatus.CANCELLED else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
