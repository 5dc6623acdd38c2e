"""Reads with a rule in them: which feeds a user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from .directory import get_directory
from .models import CalendarFeed
from .services.feeds import feeds_of


def feeds_visible_to(user) -> QuerySet[CalendarFeed]:
    """A user's own feeds (therapist diary, patient appointments) and, for clinic admins, every
    therapist, room and clinic feed of their clinics. Patients' feeds are theirs alone."""
    if not (user and user.is_authenticated):
        return CalendarFeed.objects.none()
    return feeds_of(get_directory().feed_owners_for(user))
