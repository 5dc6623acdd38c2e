from rest_framework.authentication import TokenAuthentication as DRFTokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


class TokenAuthentication(DRFTokenAuthentication):
    """DRF's token auth, loading the user's patient and therapist profiles in the same query."""

    def authenticate_credentials(self, key):
        token = (
            Token.objects.select_related("user", "user__patient", "user__therapist")
            .filter(key=key)
            .first()
        )
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        return (token.user, token)
