"""Rate limits (DRF throttles) on what anyone may call often: availability searches, new
bookings, registrations, password-reset emails.

Each limit is a scope with a rate in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (from the
environment, see the README). A signed-in caller is counted by user, anyone else by client
address (X-Forwarded-For only behind TRUSTED_PROXY_COUNT proxies of ours). Over the limit the
API answers 429 `throttled` with Retry-After; the web pages use `wait_before` for the same
counters. Counts live in the default cache (Redis in production, so every web process shares
them).
"""

from __future__ import annotations

import logging

from django.http import HttpRequest
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class ScopedThrottle(SimpleRateThrottle):
    """A throttle for one scope, reading its rate at request time (DRF's own ScopedRateThrottle
    reads the rates once, at import, so a changed setting would never apply)."""

    scope: str = ""
    cache_format = "throttle_%(scope)s_%(ident)s"

    def __init__(self):  # the rate is looked up per request, in allow_request
        pass

    def applies(self, request, view) -> bool:
        return True

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if not self.applies(request, view):
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - the counts live in the cache (Redis)
            # A rate limit must never take booking down with it: while the cache is
            # unreachable the request goes ahead uncounted (bookings keep their own guarantees
            # in the database), and the outage is logged.
            logger.warning(
                "Rate-limit cache unreachable; %s not counted", self.scope, exc_info=True
            )
            return True

    def get_cache_key(self, request, view) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ident = f"user{user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AvailabilityThrottle(ScopedThrottle):
    scope = "availability"


class BookingThrottle(ScopedThrottle):
    """New bookings only (POST to the collection); reads, moves and cancellations are not
    counted."""

    scope = "booking"

    def applies(self, request, view) -> bool:
        return request.method == "POST" and getattr(view, "action", None) == "create"


class RegistrationThrottle(ScopedThrottle):
    scope = "registration"


class PasswordResetThrottle(ScopedThrottle):
    scope = "password_reset"


def wait_before(request: HttpRequest, throttle: ScopedThrottle) -> float | None:
    """For a plain Django view: count this request against `throttle`'s scope; None when it may
    go ahead, else the seconds to wait (for Retry-After)."""
    if throttle.allow_request(request, view=None):
        return None
    return throttle.wait() or 1.0
