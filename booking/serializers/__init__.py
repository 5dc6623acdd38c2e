"""Request and response shapes of the diary API. No rules here: views hand data to services.

Split by what they describe: the clinic's set-up (setup.py), bookings (bookings.py), the
availability search (availability.py), and the fields they share (fields.py).
"""

from .availability import AvailabilityOut, AvailabilityQuery, SlotOut
from .bookings import BookingListOut, BookingOut, BookSessionIn, CancelIn, RescheduleIn, VersionedIn
from .fields import (
    AwareDateTimeField,
    ClinicDateTimeField,
    EndsAfterStarts,
    InClinicTime,
    LocalDateTimeField,
    WindowBoundField,
    local_iso,
)
from .setup import (
    BlockSerializer,
    ClinicSerializer,
    OpeningHoursSerializer,
    PatientSerializer,
    RoomSerializer,
    TherapistSerializer,
    TreatmentSerializer,
    WorkingHoursSerializer,
)

__all__ = [
    "AvailabilityOut",
    "AvailabilityQuery",
    "AwareDateTimeField",
    "BlockSerializer",
    "BookSessionIn",
    "BookingListOut",
    "BookingOut",
    "CancelIn",
    "ClinicDateTimeField",
    "ClinicSerializer",
    "EndsAfterStarts",
    "InClinicTime",
    "LocalDateTimeField",
    "OpeningHoursSerializer",
    "PatientSerializer",
    "RescheduleIn",
    "RoomSerializer",
    "SlotOut",
    "TherapistSerializer",
    "TreatmentSerializer",
    "VersionedIn",
    "WindowBoundField",
    "WorkingHoursSerializer",
    "local_iso",
]
