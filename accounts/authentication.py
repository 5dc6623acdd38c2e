from hmac import compare_digest

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework.exceptions import AuthenticationFailed

from .models import AuthToken


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's hashed, expiring tokens (`Authorization: Token …`), loading the user's patient and
    therapist profiles in the same query. An expired token is deleted when it is next shown."""

    def authenticate_credentials(self, token: bytes):
        try:
            secret = token.decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid token.") from None
        digest = hash_token(secret)
        candidates = AuthToken.objects.select_related(
            "user", "user__patient", "user__therapist"
        ).filter(token_key=secret[: CONSTANTS.TOKEN_KEY_LENGTH])
        for candidate in candidates:
            if not compare_digest(digest, candidate.digest):
                continue
            if candidate.expiry is not None and candidate.expiry <= timezone.now():
                candidate.delete()
                raise AuthenticationFailed("The token has expired; sign in again.")
            return self.validate_user(candidate)
        raise AuthenticationFailed("Invalid token.")
