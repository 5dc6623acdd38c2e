"""The daily retention purge (CELERY_BEAT_SCHEDULE in config/settings.py)."""

from __future__ import annotations

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task
def purge_expired_records() -> list[int]:
    """Delete what is left of every erased patient whose retention date has passed.

    Safe to run twice or concurrently: each patient is claimed under a row lock and purged once
    (privacy.services.purge_erased_patient). Returns the patient ids purged.
    """
    purged = services.purge_expired_records()
    if purged:
        logger.info("Retention purge deleted the records of %d erased patient(s)", len(purged))
    return purged
