from functools import cache
from hmac import compare_digest

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework.exceptions import AuthenticationFailed

from .models import AuthToken


@cache
def _clinic_roles_sql() -> str:
    """The user's clinic roles as "clinic:role,clinic:role": a subquery of the token look-up.

    Written as SQL (the membership table's name read from its model, reached through the user's
    `memberships` relation, so accounts imports no app above it): building it with the ORM cost
    more Python time on every API request than running it. Built once per process: it names
    only tables and the database's aggregate, which do not change while it runs."""
    membership = get_user_model()._meta.get_field("memberships").related_model
    aggregate = (
        "STRING_AGG({}, ',')" if connection.vendor == "postgresql" else "GROUP_CONCAT({}, ',')"
    )
    value = "CAST(m.clinic_id AS TEXT) || ':' || m.role"
    # No value from the request goes into this SQL: only names read from the models.
    return (
        f"SELECT {aggregate.format(value)} FROM {membership._meta.db_table} m "  # noqa: S608
        f"WHERE m.user_id = {AuthToken._meta.db_table}.user_id"
    )


def _clinic_roles() -> RawSQL:
    return RawSQL(_clinic_roles_sql(), ())  # noqa: S611


def _parse_roles(packed: str | None) -> dict[int, set[str]]:
    roles: dict[int, set[str]] = {}
    for item in (packed or "").split(","):
        if item:
            clinic_id, role = item.split(":", 1)
            roles.setdefault(int(clinic_id), set()).add(role)
    return roles


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's hashed, expiring tokens (`Authorization: Token …`), loading the user's patient and
    therapist profiles and clinic roles in the same query (`user.clinic_roles`, read by
    booking.selectors.Access). An expired token is deleted when it is next shown."""

    def authenticate_credentials(self, token: bytes):
        try:
            secret = token.decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid token.") from None
        digest = hash_token(secret)
        candidates = (
            AuthToken.objects.select_related("user", "user__patient", "user__therapist")
            .filter(token_key=secret[: CONSTANTS.TOKEN_KEY_LENGTH])
            .annotate(clinic_roles=_clinic_roles())
        )
        for candidate in candidates:
            if not compare_digest(digest, candidate.digest):
                continue
            if candidate.expiry is not None and candidate.expiry <= timezone.now():
                candidate.delete()
                raise AuthenticationFailed("The token has expired; sign in again.")
            candidate.user.clinic_roles = _parse_roles(candidate.clinic_roles)
            return self.validate_user(candidate)
        raise AuthenticationFailed("Invalid token.")
