"""Idempotency-Key support for POSTs that create things (Stripe's semantics, IETF draft).

- Same user, endpoint, key and body: the first successful response is returned again, with
  `Idempotent-Replayed: true`, and nothing new is created.
- Same key with a different body: 422 `idempotency_key_reused`.
- The key is stored in the same transaction as what the request created, so a stored key
  always means the thing exists. Failed requests store nothing (as Stripe does for requests that
  fail validation or conflict), so a client may retry them with the same key.
- Two concurrent requests with one key: the second waits on the clinic lock, then finds the
  first one's key and replays its response.
- There is no look-up before the work: the key's INSERT at the end of the transaction is the
  check. A repeat therefore runs again, fails either on its own rules (the slot is now taken)
  or on the key's unique index, rolls back, and only then reads and replays the stored
  response. The first request pays one INSERT and nothing more.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import serializers
from rest_framework.response import Response

from core.api import DomainError

from .errors import IdempotencyKeyReused
from .models import IdempotencyKey

HEADER = "Idempotency-Key"


def _fingerprint(data) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(stored: IdempotencyKey, fingerprint: str) -> Response:
    if stored.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return Response(
        stored.response_body, status=stored.response_status, headers={"Idempotent-Replayed": "true"}
    )


def run_idempotently(request, *, endpoint: str, run: Callable[[], Response]) -> Response:
    key = request.headers.get(HEADER)
    if key is None:
        return run()
    key = key.strip()
    if not key or len(key) > 255:
        raise serializers.ValidationError(
            {HEADER: ["Use a non-empty key of at most 255 characters."]}
        )
    fingerprint = _fingerprint(request.data)
    lookup = {"user": request.user, "endpoint": endpoint, "key": key}

    try:
        with transaction.atomic():
            response = run()
            IdempotencyKey.objects.create(
                **lookup,
                fingerprint=fingerprint,
                response_status=response.status_code,
                response_body=response.data,
            )
    except (DomainError, IntegrityError):
        # An earlier or concurrent request with this key may have succeeded: answer as it did.
        stored = IdempotencyKey.objects.filter(**lookup).first()
        if stored is not None:
            return _replay(stored, fingerprint)
        raise
    return response


def forget_expired_keys(*, now: datetime | None = None) -> int:
    """Delete stored replies older than IDEMPOTENCY_KEY_TTL_HOURS; returns how many.

    Safe to run at any time and twice: a client retrying within the TTL still gets its replay;
    after it, the same key is simply new again.
    """
    cutoff = (now or timezone.now()) - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
