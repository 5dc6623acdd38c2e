"""Reception: the diary of one clinic, its dialogs (book, move, cancel, status, block) and the
waiting list. Every page also answers as a fragment (header X-Fragment: 1) for the diary's
dialogs, which post with fetch and get JSON back on success.

Split by what the dialog is about; the views are re-exported here for web/urls.py.
"""

from .blocks import block_detail, new_block
from .bookings import booking_detail, booking_status, cancel_booking, move_booking, new_booking
from .day_sheet import day_sheet_page
from .follow_ups import follow_up_list
from .page import changes, diary, diary_home, patient_search
from .waitlist import new_waitlist_entry, waitlist_action, waitlist_panel

__all__ = [
    "block_detail",
    "booking_detail",
    "booking_status",
    "cancel_booking",
    "changes",
    "day_sheet_page",
    "diary",
    "diary_home",
    "follow_up_list",
    "move_booking",
    "new_block",
    "new_booking",
    "new_waitlist_entry",
    "patient_search",
    "waitlist_action",
    "waitlist_panel",
]
