"""Who did it: the user a write records as its actor."""

from __future__ import annotations


def acting_user(user):
    """A saved user to record as the actor, or None (anonymous callers and system jobs)."""
    return user if getattr(user, "pk", None) else None
