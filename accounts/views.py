"""Sign in to the API, sign out, and manage one's own tokens."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_response

from . import lockout, registration, services
from .authentication import TokenAuthentication
from .errors import EmailNotVerified
from .models import AuthToken
from .serializers import (
    IssuedTokenSerializer,
    SignInSerializer,
    TokenSerializer,
    UnlockIn,
    UnlockOut,
)


class ObtainTokenView(APIView):
    """Exchange a username or email address (any case) and password for an API token that
    expires. Too many failed attempts for one account or from one address answer 429
    `sign_in_locked` with Retry-After, even with the right password, until the lock-out ends."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(
        request=SignInSerializer,
        responses={
            200: IssuedTokenSerializer,
            400: error_response("Wrong username or password (code `invalid`)."),
            403: error_response(
                "The account's email address is not verified yet (`email_not_verified`); "
                "a new link has been emailed."
            ),
            429: error_response(
                "Too many failed sign-ins for this account or from this address "
                "(`sign_in_locked`); see Retry-After."
            ),
        },
    )
    def post(self, request):
        credentials = SignInSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(
            request._request,  # the Django request, which the sign-in guard marks
            username=credentials.validated_data["username"],
            password=credentials.validated_data["password"],
        )
        if user is None:
            raise ValidationError({"non_field_errors": ["Unable to sign in with those details."]})
        pending = registration.pending_for(user)
        if pending is not None:
            registration.send_verification(pending.pk)
            raise EmailNotVerified()
        token, secret = services.issue_token(user, client=request.headers.get("User-Agent", ""))
        return Response(IssuedTokenSerializer({"token": secret, "expires_at": token.expiry}).data)


class LogoutView(APIView):
    """Revoke the token this request is made with; it answers 401 from then on."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        services.revoke_token(request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's own live tokens; DELETE revokes one (the current one included)."""

    serializer_class = TokenSerializer
    queryset = AuthToken.objects.none()  # typed path parameter in the schema; see get_queryset
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return services.live_tokens(self.request.user)

    def perform_destroy(self, instance):
        services.revoke_token(instance)


class UnlockAccountView(APIView):
    """A clinic admin unlocks an account of their clinic (staff, therapist or patient) that
    too many failed sign-ins have locked, so its owner can sign in at once."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=UnlockIn,
        responses={
            200: UnlockOut,
            403: error_response("Only clinic admins unlock accounts."),
            404: error_response("No account by that name that you may unlock."),
        },
    )
    def post(self, request):
        if not (request.user.is_superuser or lockout.administered_clinic_ids(request.user)):
            raise PermissionDenied("Only clinic admins unlock accounts.")
        body = UnlockIn(data=request.data)
        body.is_valid(raise_exception=True)
        user = lockout.account_for(body.validated_data["account"])
        was_locked = user is not None and lockout.is_locked(user)
        user, cleared = lockout.unlock_account_for(
            admin=request.user, identifier=body.validated_data["account"]
        )
        return Response(
            UnlockOut(
                {
                    "account": user.get_username(),
                    "was_locked": was_locked,
                    "failures_cleared": cleared,
                }
            ).data
        )
