"""Who is signing in: one lookup for the web sign-in, the API token endpoint and the admin.

People sign in with their username or their email address, in any case ("Pat@Example.com" is
"pat@example.com"). `account_for(identifier)` is that lookup; the sign-in lock-out counts
failures against the same account (accounts/lockout.py).
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


def account_for(identifier: str | None):
    """The active or inactive user whose username or email address is `identifier`, ignoring
    case and surrounding spaces; None when there is none, or when an email address is shared by
    several accounts and no username matches (then only the username signs in)."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    users = get_user_model()._default_manager
    by_username = (
        users.filter(username=identifier).first()
        or users.filter(username__iexact=identifier).order_by("pk").first()
    )
    if by_username is not None:
        return by_username
    if "@" not in identifier:
        return None
    matches = list(users.filter(email__iexact=identifier)[:2])
    return matches[0] if len(matches) == 1 else None


class EmailOrUsernameBackend(ModelBackend):
    """Django's model backend (passwords, permissions, is_active), finding the account by
    username or email address, case-insensitively."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = account_for(username)
        if user is None:
            # Hash anyway, so an unknown name takes as long as a wrong password (as Django's
            # ModelBackend does): response times do not tell which accounts exist.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class SignInGuard(AxesStandaloneBackend):
    """django-axes' lock-out check ahead of the password check. Sign-ins over HTTP always pass
    a request; code that calls authenticate() without one (scripts, the test client's login)
    is not a client that can be locked out, so it is let through to the password check."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
