"""One booking as an iCalendar file for "add to calendar".

Built by notifications (`appointment_file`) so the file and the email invitations share one UID
and SEQUENCE: a calendar that receives both shows one event, and a later reschedule or
cancellation email moves or removes it in place. Times are UTC; the summary names the clinic,
not the treatment, because calendars are often shared and the treatment is health information.
"""

from __future__ import annotations

from booking.models import Booking
from notifications.services import appointment_file


def booking_calendar(booking: Booking, *, manage_url: str = "") -> bytes | None:
    """The file, or None for a booking notifications never recorded (not made by book_session)."""
    return appointment_file(booking.pk, manage_url=manage_url)
