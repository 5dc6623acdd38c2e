"""Thin DRF views: parse, check who may do it, call one service or selector, render.

Split by resource (set-up, patients, bookings, blocks, availability); the views are re-exported
here for config/urls.py.
"""

from .availability import AvailabilityView
from .blocks import BlockViewSet
from .bookings import BookingViewSet
from .patients import PatientViewSet
from .setup import (
    ClinicViewSet,
    OpeningHoursViewSet,
    RoomViewSet,
    TherapistViewSet,
    TreatmentViewSet,
    WorkingHoursViewSet,
)

__all__ = [
    "AvailabilityView",
    "BlockViewSet",
    "BookingViewSet",
    "ClinicViewSet",
    "OpeningHoursViewSet",
    "PatientViewSet",
    "RoomViewSet",
    "TherapistViewSet",
    "TreatmentViewSet",
    "WorkingHoursViewSet",
]
