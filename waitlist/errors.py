"""Domain errors of the waiting list."""

from rest_framework import status

from core.api import DomainError


class AlreadyWaiting(DomainError):
    code = "already_waiting"
    http_status = status.HTTP_409_CONFLICT
    default_message = "This patient is already on the waiting list for that treatment."


class WaitlistEntryClosed(DomainError):
    code = "waitlist_entry_closed"
    http_status = status.HTTP_409_CONFLICT
    default_message = "This waiting-list entry has already been booked or removed."


class WaitlistRuleBroken(DomainError):
    code = "waitlist_rule_broken"
