"""Booking's periodic housekeeping (scheduled in CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .idempotency import forget_expired_keys


@shared_task
def forget_expired_idempotency_keys() -> int:
    """Drop Idempotency-Key replies past their time to live. Idempotent."""
    return forget_expired_keys()
