"""Reads with a rule in them: which feeds a user may see, what a patient was sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from .directory import get_directory
from .models import CalendarFeed, Notification, NotificationStatus
from .services.feeds import feeds_of


def feeds_visible_to(user) -> QuerySet[CalendarFeed]:
    """A user's own feeds (therapist diary, patient appointments) and, for clinic admins, every
    therapist, room and clinic feed of their clinics. Patients' feeds are theirs alone."""
    if not (user and user.is_authenticated):
        return CalendarFeed.objects.none()
    return feeds_of(get_directory().feed_owners_for(user))


@dataclass(frozen=True)
class MessageSent:
    """One message to a patient that went out (or was given up on), for their record."""

    at: datetime
    title: str
    detail: str


def messages_about_patient(patient_id: int) -> list[MessageSent]:
    """The messages sent to a patient, and those skipped or failed, with when and why.

    Messages still waiting (reminders for later) are not history yet and are left out.
    """
    rows = (
        Notification.objects.filter(entry__patient_id=patient_id)
        .exclude(status__in=[NotificationStatus.PENDING, NotificationStatus.CANCELLED])
        .select_related("entry")
    )
    messages = []
    for row in rows:
        what = f"{row.get_kind_display()} ({row.get_channel_display()})"
        if row.status == NotificationStatus.SENT:
            messages.append(
                MessageSent(row.sent_at, f"{what} sent", f"To {row.sent_to}" if row.sent_to else "")
            )
        else:
            messages.append(
                MessageSent(
                    row.updated_at, f"{what} {row.get_status_display().lower()}", row.last_error
                )
            )
    return messages
