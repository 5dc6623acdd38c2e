"""Serious adverse events, seen by whoever books the patient's next needling session.

Registered as a booking advisory (booking.advisories) in SessionNotesConfig.ready(): every
booking of a needling treatment for a patient with an open safety alert carries a warning in
the bookings API and the reception dialog. The wording carries no clinical detail, since
reception reads it.
"""

from __future__ import annotations

from booking.advisories import Advisory
from booking.models import BookingStatus
from plans.selectors import involves_needling

from .selectors import open_alerts_for

UPCOMING = (BookingStatus.CONFIRMED, BookingStatus.ARRIVED)

SERIOUS_EVENT_WARNING = Advisory(
    "serious_adverse_event",
    "A serious adverse event followed this patient's treatment and is still under review: "
    "check with the lead therapist before needling.",
)


def needling_warnings_for_bookings(bookings: list) -> dict[int, list[Advisory]]:
    needling_treatments = {}
    for booking in bookings:
        if booking.treatment_id not in needling_treatments:
            needling_treatments[booking.treatment_id] = involves_needling(booking.treatment)
    needling = [b for b in bookings if needling_treatments[b.treatment_id] and b.status in UPCOMING]
    if not needling:
        return {}
    flagged = set(
        open_alerts_for({b.patient_id for b in needling}).values_list("patient_id", flat=True)
    )
    return {b.pk: [SERIOUS_EVENT_WARNING] for b in needling if b.patient_id in flagged}
