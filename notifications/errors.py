"""Domain errors of notifications and feeds."""

from rest_framework import status

from core.api import DomainError


class FeedNotFound(DomainError):
    code = "feed_not_found"
    http_status = status.HTTP_404_NOT_FOUND
    default_message = "No such feed, or not one you may manage."


class TransientDeliveryError(Exception):
    """The provider could not take the message now (connection lost, 4xx reply): try again later.

    Raised by delivery after it has recorded the error and kept its claim on the rows not yet
    sent, so a Celery retry of the same batch continues where it stopped.
    """
