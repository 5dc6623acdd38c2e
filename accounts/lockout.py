"""The sign-in lock-out, on django-axes: what counts as one account and one client, what a
locked-out client is told, and unlocking.

axes counts failed sign-ins per account and per client address (AXES_LOCKOUT_PARAMETERS) in
its AccessAttempt table and refuses every sign-in of a locked account or address, right
password or not, until SIGN_IN_LOCKOUT_MINUTES after the last failure. This module plugs our
rules into it (config/settings.py names each function):

- `account_key`: the account a typed identifier names, so "Pat@Example.com", "pat@example.com"
  and "pat" share one counter (accounts.backends.account_for, the sign-in's own lookup);
- `client_address`: the client's address as DRF's throttles see it (TRUSTED_PROXY_COUNT);
- `locked_out_response`: 429 with Retry-After, as the one API error shape under /api/ and as a
  page saying when to try again elsewhere (web sign-in, Django admin).
"""

from __future__ import annotations

import math
from datetime import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Q, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from core.api import error_body

from .backends import account_for
from .errors import NotAllowedToUnlock

LOCKED_CODE = "sign_in_locked"


def account_key(request: HttpRequest | None, credentials: dict | None) -> str | None:
    """What axes counts failures against: the username of the account the typed identifier
    names (username or email, any case), else the identifier itself, lower-cased."""
    if credentials is not None:
        typed = credentials.get("username")
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        typed = data.get("username")
    if typed is None:
        return None
    typed = str(typed).strip()
    cache = getattr(request, "_account_keys", None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            request._account_keys = cache
    if typed not in cache:
        user = account_for(typed)
        cache[typed] = user.get_username() if user is not None else typed.lower()
    return cache[typed]


def client_address(request: HttpRequest) -> str:
    """The client's address: X-Forwarded-For only behind TRUSTED_PROXY_COUNT proxies of ours,
    the same rule the rate limits use (DRF's NUM_PROXIES)."""
    return BaseThrottle().get_ident(request)


def lock_ends_at(*, account: str | None, address: str | None, now: datetime) -> datetime:
    """When the lock on this account or address lifts: one lock-out period after the last
    failure that counts (a failure during the lock-out is not recorded, so the time stands)."""
    cool_off = get_cool_off()
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - cool_off)
    who = Q()
    if account:
        who |= Q(username=account)
    if address:
        who |= Q(ip_address=address)
    last = recent.filter(who).aggregate(last=Max("attempt_time"))["last"] if who else None
    return (last or now) + cool_off


def locked_out_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """429 Too Many Requests with Retry-After: the one error shape for the API, a page saying
    when to try again for the web sign-in and the Django admin."""
    now = timezone.now()
    ends = lock_ends_at(
        account=account_key(request, credentials), address=client_address(request), now=now
    )
    seconds = max(1, math.ceil((ends - now).total_seconds()))
    minutes = max(1, math.ceil(seconds / 60))
    message = (
        f"Too many failed sign-ins. For your security, signing in is paused for {minutes} "
        f"minute{'s' if minutes != 1 else ''}; try again after that, or reset your password."
    )
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body(LOCKED_CODE, message), status=429)
    else:
        response = TemplateResponse(
            request,
            "web/accounts/locked_out.html",
            {
                "base_template": "web/base.html",
                "minutes": minutes,
                "until": timezone.localtime(ends),
                "failure_limit": settings.AXES_FAILURE_LIMIT,
            },
            status=429,
        )
        response.render()
    response["Retry-After"] = str(seconds)
    return response


def unlock_account(user) -> int:
    """Clear the failed sign-ins counted against `user`'s account, so they can sign in at once.
    Failures counted against a client address are left alone (another account's attacker may
    share it). Returns how many counters were cleared; safe to call twice."""
    return reset(username=user.get_username())


def is_locked(user) -> bool:
    """Whether `user`'s account is locked now by failures counted against it."""
    failures = AccessAttempt.objects.filter(
        username=user.get_username(), attempt_time__gte=timezone.now() - get_cool_off()
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return (failures or 0) >= settings.AXES_FAILURE_LIMIT


def administered_clinic_ids(user) -> list[int]:
    from booking.models import ClinicMembership, StaffRole

    return list(
        ClinicMembership.objects.filter(user=user, role=StaffRole.ADMIN).values_list(
            "clinic_id", flat=True
        )
    )


def accounts_unlockable_by(user):
    """The accounts `user` may unlock: every one for a superuser; for a clinic admin, the
    accounts of their clinics' staff, therapists and patients (registered there or booked
    there). Nobody else's, and never a superuser's."""
    users = get_user_model()._default_manager.all()
    if user.is_superuser:
        return users
    clinics = administered_clinic_ids(user)
    if not clinics:
        return users.none()
    ids = (
        users.filter(
            Q(memberships__clinic_id__in=clinics)
            | Q(therapist__clinics__in=clinics)
            | Q(patient__clinic_id__in=clinics)
            | Q(patient__bookings__clinic_id__in=clinics)
            | Q(pending_registration__clinic_id__in=clinics)
        )
        .order_by()
        .values("pk")
    )
    return users.filter(pk__in=ids, is_superuser=False)


def unlock_account_for(*, admin, identifier: str):
    """A clinic admin (or superuser) unlocks the account named by `identifier` (username or
    email, any case). Returns (user, counters cleared). An account they may not unlock is
    answered like an unknown one (NotAllowedToUnlock, 404), so the call cannot be used to find
    out who has an account."""
    user = account_for(identifier)
    if user is None or not accounts_unlockable_by(admin).filter(pk=user.pk).exists():
        raise NotAllowedToUnlock()
    return user, unlock_account(user)
