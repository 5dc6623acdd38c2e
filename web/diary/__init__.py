"""The reception diary as data, split by concern:

- grid.py: the day or week grid (columns per therapist or room, what sits in them);
- cards.py: what reception sees of a booking at a glance (the hover card, the day sheet's row),
  loaded for a whole page in one query;
- lists.py: the call list (arrivals, late cancellations, no-shows) and the day sheet;
- checks.py: is anyone working at a clicked time; the diary's change fingerprint.
"""

from .cards import Card, PlanFacts, card_for, desk_bookings, with_card_facts
from .checks import diary_signature, not_working_reason
from .grid import By, Column, Diary, Item
from .lists import DaySheet, FollowUps, SheetRow, day_sheet, follow_ups

__all__ = [
    "By",
    "Card",
    "Column",
    "DaySheet",
    "Diary",
    "FollowUps",
    "Item",
    "PlanFacts",
    "SheetRow",
    "card_for",
    "day_sheet",
    "desk_bookings",
    "diary_signature",
    "follow_ups",
    "not_working_reason",
    "with_card_facts",
]
