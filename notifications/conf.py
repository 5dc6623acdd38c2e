"""Settings of this app with their defaults (config/settings.py reads them from the environment)."""

from django.conf import settings


def claim_timeout_seconds() -> int:
    """A claim older than this without `sent_at` is taken to be a dead worker's, and released."""
    return getattr(settings, "NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS", 300)


def batch_size() -> int:
    """Rows per send task: one SMTP connection carries a whole batch."""
    return getattr(settings, "NOTIFICATIONS_BATCH_SIZE", 100)


def scan_limit() -> int:
    """Rows one scan claims at most; the next scan (a minute later) takes the rest."""
    return getattr(settings, "NOTIFICATIONS_SCAN_LIMIT", 5000)


def message_id_domain() -> str:
    configured = getattr(settings, "NOTIFICATIONS_MESSAGE_ID_DOMAIN", "")
    if configured:
        return configured
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] or "physiodesk.invalid"
