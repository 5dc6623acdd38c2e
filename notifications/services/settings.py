"""A clinic's notification settings: read on every booking (cached), saved by the admin.

The settings say which reminders a booking gets and what feeds show. Every booking reads them,
and they change a few times a year, so they are cached (Django's cache: Redis in production,
shared by every process; per process in the embedded default), and forgotten whenever they are
saved or deleted (ClinicNotificationSettings.save/delete). An unreachable cache never fails a
booking: the settings are then read from the database.
"""

from __future__ import annotations

import logging
from functools import partial

from django.core.cache import cache
from django.db import transaction

from ..models import ClinicNotificationSettings, default_reminder_leads

logger = logging.getLogger(__name__)

# How long a clinic's settings are reused without reading them again. Saving the settings
# forgets them at once (ClinicNotificationSettings.save), so this only bounds a change made
# behind the model's back (a raw UPDATE).
SETTINGS_CACHE_SECONDS = 300


def _settings_key(clinic_id: int) -> str:
    return f"notifications:clinic-settings:{clinic_id}"


def clinic_settings(clinic_id: int) -> ClinicNotificationSettings:
    """The clinic's settings, or an unsaved row holding the defaults (cached, see above)."""
    key = _settings_key(clinic_id)
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache only saves a query; see docstring
        logger.warning("Settings cache unreachable; reading clinic %s's", clinic_id, exc_info=True)
        found = None
    if found is None:
        found = ClinicNotificationSettings.objects.filter(clinic_id=clinic_id).first()
        found = found or ClinicNotificationSettings(
            clinic_id=clinic_id, reminder_lead_minutes=default_reminder_leads()
        )
        try:
            cache.set(key, found, SETTINGS_CACHE_SECONDS)
        except Exception:  # noqa: BLE001 - as above
            logger.warning("Could not cache clinic %s's settings", clinic_id, exc_info=True)
    return found


def _forget(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # noqa: BLE001 - an unreachable cache keeps nothing to forget... or
        # keeps the old row until SETTINGS_CACHE_SECONDS pass; the save itself must not fail.
        logger.warning("Could not drop cached settings %s", key, exc_info=True)


def forget_clinic_settings(clinic_id: int) -> None:
    """Drop the cached settings now and once the saving transaction commits (a booking running
    meanwhile may have cached the old row again)."""
    key = _settings_key(clinic_id)
    _forget(key)
    transaction.on_commit(partial(_forget, key))


def save_clinic_settings(*, clinic: ClinicNotificationSettings) -> ClinicNotificationSettings:
    """Validate and save a clinic's settings; its staff feeds are rebuilt with the new privacy.

    New lead times apply to bookings made or moved from now on; reminders already written keep
    theirs. Raises django ValidationError on bad values and then writes nothing.
    """
    from .feeds import touch_clinic_feeds

    clinic.full_clean()
    with transaction.atomic():
        clinic.save()
        touch_clinic_feeds(clinic.clinic_id)
    return clinic
