"""A patient's erasure as the notifications app carries it out (called by privacy.services).

At erasure nothing may reach the patient any more and calendars stop naming them; at the end of
the retention period everything this app holds about them is deleted.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from ..directory import FeedKind
from ..models import CalendarEntry, CalendarFeed, Notification, NotificationStatus
from .feeds import touch_clinic_feeds


def forget_patient(*, patient_id: int, initials: str, now: datetime | None = None) -> dict:
    """Stop every message to the patient and every trace of them in calendars. Safe to repeat.

    - their own calendar feed is deleted, so its secret URL answers 404;
    - every message still waiting to go to them is cancelled (none is sent or queued after);
    - the addresses their past messages went to are blanked (the log of what was sent when
      stays, as the NHS guidance asks, without the address);
    - their appointments in staff calendars carry `initials` instead of theirs, and those
      feeds are marked changed so no cached copy with the old initials is served.

    Returns counts of what changed.
    """
    now = now or timezone.now()
    feeds, _ = CalendarFeed.objects.filter(kind=FeedKind.PATIENT, owner_id=patient_id).delete()
    messages = Notification.objects.filter(entry__patient_id=patient_id)
    withdrawn = messages.filter(status=NotificationStatus.PENDING).update(
        status=NotificationStatus.CANCELLED,
        claim_token=None,
        claimed_at=None,
        last_error="The patient's data was erased.",
        updated_at=now,
    )
    messages.exclude(sent_to="").update(sent_to="", updated_at=now)
    entries = CalendarEntry.objects.filter(patient_id=patient_id)
    clinic_ids = set(entries.values_list("clinic_id", flat=True).distinct())
    entries.update(patient_initials=initials[:8])
    if clinic_ids:
        touch_clinic_feeds(*clinic_ids, now=now)
    return {"feeds_deleted": feeds, "messages_withdrawn": withdrawn}


def delete_patient_messages(*, patient_id: int) -> int:
    """Delete the patient's calendar entries and their message log (the retention purge).
    Returns the number of messages deleted."""
    messages, _ = Notification.objects.filter(entry__patient_id=patient_id).delete()
    CalendarEntry.objects.filter(patient_id=patient_id).delete()
    CalendarFeed.objects.filter(kind=FeedKind.PATIENT, owner_id=patient_id).delete()
    return messages
