"""Issuing and revoking API tokens."""

from __future__ import annotations

from django.utils import timezone

from .models import AuthToken


def issue_token(user, *, client: str = "") -> tuple[AuthToken, str]:
    """A new token for a user who has just proved who they are: the row and the secret, which
    is not stored and cannot be shown again. The user's expired tokens are deleted on the way."""
    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    return AuthToken.objects.create(user=user, client=client[:200])


def live_tokens(user):
    """The user's tokens that still work, newest first."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now())


def revoke_token(token: AuthToken) -> None:
    token.delete()


def revoke_all_tokens(user) -> int:
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted
