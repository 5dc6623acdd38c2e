"""Errors of signing in and registering."""

from rest_framework import status

from core.api import DomainError


class AccountExists(DomainError):
    code = "account_exists"
    http_status = status.HTTP_409_CONFLICT
    default_message = "There is already an account with that email address; please sign in."


class VerificationLinkInvalid(DomainError):
    code = "verification_link_invalid"
    default_message = (
        "This link has expired or does not work. Sign in with your email address and password "
        "and we will send you a new one."
    )


class EmailNotVerified(DomainError):
    code = "email_not_verified"
    http_status = status.HTTP_403_FORBIDDEN
    default_message = (
        "Please confirm your email address first: open the link we emailed you. We have sent "
        "a new one."
    )


class NotAllowedToUnlock(DomainError):
    code = "not_found"
    http_status = status.HTTP_404_NOT_FOUND
    default_message = "No account by that name that you may unlock."
