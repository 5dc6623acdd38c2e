"""Celery tasks: thin wrappers that take ids and call a service (STYLE §4).

No task waits on an ETA or countdown longer than a few minutes: a reminder is a database row
with `due_at`, found by `send_due_notifications`, which beat runs every minute.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from . import services
from .errors import TransientDeliveryError
from .models import CalendarFeed

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def send_due_notifications() -> int:
    """Release dead workers' claims, claim every due row in batches, queue one send per batch.

    Beat runs this every minute (CELERY_BEAT_SCHEDULE). Safe to run twice at once or to lose:
    rows are claimed in the database, and an unsent claimed row is claimed again after the
    claim time-out. Returns the number of rows queued.
    """
    services.release_stale_claims()
    batches = services.claim_due_notifications()
    for token, ids in batches:
        send_notifications.delay(ids, token)
    return sum(len(ids) for _, ids in batches)


# Sending tasks: late ack (a killed worker's batch is redelivered; claims make that harmless) and
# transient provider errors retried with back-off, far below Redis's visibility timeout.
SENDING = {
    "acks_late": True,
    "autoretry_for": (TransientDeliveryError,),
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 4,
}


@shared_task(**SENDING)
def send_notifications(notification_ids: list[int], claim_token: str) -> int:
    """Send one claimed batch. Idempotent: rows already sent or no longer claimed are skipped.

    Transient provider errors are retried with back-off (5 s, 10 s, ... at most 2 min, far below
    Redis's visibility timeout); if retries run out, the claim times out and a later scan tries
    again. Returns how many were sent.
    """
    return len(services.deliver_claimed(notification_ids, claim_token).sent)


@shared_task(**SENDING)
def send_notification(notification_id: int) -> int:
    """Send one row now (queued right after the booking commits). Idempotent; returns 1 if sent."""
    return len(services.send_notification_now(notification_id).sent)


@shared_task(acks_late=True)
def rebuild_feeds(feed_ids: list[int]) -> int:
    """Rebuild these feeds into the cache. Missing ids are ignored; returns how many were built."""
    now = timezone.now()
    feeds = list(CalendarFeed.objects.filter(pk__in=feed_ids))
    for feed in feeds:
        services.rebuild_feed(feed, now=now)
    return len(feeds)
