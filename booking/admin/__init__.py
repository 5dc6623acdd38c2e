"""The Django admin for the clinic diary.

Who sees what: superusers see everything. A clinic admin (a staff user with a ClinicMembership
of role "admin", in the "Clinic admins" group from migration 0003) sees and edits only the rows
of the clinics they administer: every list, every choice in a form and every autocomplete is
narrowed to those clinics (scoping.py). Other staff users see nothing until they are given such
a role.

Bookings and blocks carry rules, so the admin never writes them directly: bookings cannot be
added, deleted or moved here (start, end, status and version are read-only) and change status
only through actions that call booking.services; a new block is made by services.block_time
(diary.py). Set-up data is edited as plain rows (setup.py).
"""

from . import diary, setup
from .scoping import ClinicScoped, LoginLinkMixin, administered_clinic_ids, in_clinics

__all__ = [
    "ClinicScoped",
    "LoginLinkMixin",
    "administered_clinic_ids",
    "diary",
    "in_clinics",
    "setup",
]
