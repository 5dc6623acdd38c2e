"""Which channel the current change or read came through: API, web pages, admin, task, system.

Requests set it in `AuditContextMiddleware` (from the URL), Celery tasks in a task_prerun hook
(audit/signals.py); anything else (management commands, a shell) counts as "system".
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.urls import reverse
from simple_history.models import HistoricalRecords

from .models import AuditChannel

_channel: ContextVar[str] = ContextVar("audit_channel", default=AuditChannel.SYSTEM)


def current_channel() -> str:
    return _channel.get()


@contextmanager
def acting_through(channel: str):
    """Attribute whatever happens inside to `channel`."""
    token = _channel.set(channel)
    try:
        yield
    finally:
        _channel.reset(token)


def channel_of_path(path: str) -> str:
    if path.startswith("/api/"):
        return AuditChannel.API
    if path.startswith(reverse("admin:index")):
        return AuditChannel.ADMIN
    return AuditChannel.WEB


class AuditContextMiddleware:
    """Tells the audit trail who is acting (simple-history reads the request) and how.

    Must come after AuthenticationMiddleware. API token users are authenticated later, by DRF,
    which sets `request.user` on this same request object, so history written in the view still
    names them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        HistoricalRecords.context.request = request
        try:
            with acting_through(channel_of_path(request.path)):
                return self.get_response(request)
        finally:
            del HistoricalRecords.context.request
