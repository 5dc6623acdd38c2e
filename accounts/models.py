"""API tokens: stored as a hash (django-rest-knox), with an expiry and an id to revoke them by."""

from django.db import models
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS


class AuthToken(AbstractAuthToken):
    """One signed-in API client. Only the SHA-512 digest of the secret is stored; the secret
    itself is shown once, when the token is issued.

    knox keys its own model by the digest; ours has a plain id, so a user can list their tokens
    and revoke one without the digest (or any part of the secret) ever leaving the server.
    """

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    # What the client said it was when it signed in, so a user can tell their tokens apart.
    client = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["user", "expiry"], name="accounts_token_user_expiry")]

    def __str__(self) -> str:
        return f"token {self.pk} of {self.user}"
