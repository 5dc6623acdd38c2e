"""API tokens: stored as a hash (django-rest-knox), with an expiry and an id to revoke them by."""

from axes.models import AccessAttempt
from django.conf import settings
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


class PendingRegistration(models.Model):
    """An online registration waiting for its email address to be verified.

    When someone registers with the email address of a patient record the clinic made earlier
    (at the desk or on the phone), their account is linked to that record only once they have
    opened the signed link we email to the address: otherwise anyone could type a patient's
    email and read their appointments. Until then the account has no patient record at all and
    cannot sign in; what they entered waits here and is applied when the link is opened.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_registration"
    )
    # The earlier record the account will be linked to once the address is verified.
    patient = models.ForeignKey("booking.Patient", on_delete=models.CASCADE, related_name="+")
    # The clinic they registered with, for a fresh record if the earlier one was taken meanwhile.
    clinic = models.ForeignKey("booking.Clinic", on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=40, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    consents_to_email = models.BooleanField(default=True)
    consents_to_sms = models.BooleanField(default=False)
    privacy_notice_accepted_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"registration of {self.user} awaiting email verification"


class FailedSignIn(AccessAttempt):
    """django-axes' failed sign-in counter, under our name in the admin (a proxy: no table)."""

    class Meta:
        proxy = True
        verbose_name = "failed sign-in"
        verbose_name_plural = "failed sign-ins (lock-outs)"
