"""Sign in to the API, sign out, and manage one's own tokens."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_response

from . import services
from .authentication import TokenAuthentication
from .models import AuthToken
from .serializers import IssuedTokenSerializer, SignInSerializer, TokenSerializer


class ObtainTokenView(APIView):
    """Exchange a username (or email address) and password for an API token that expires."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(
        request=SignInSerializer,
        responses={
            200: IssuedTokenSerializer,
            400: error_response("Wrong username or password (code `invalid`)."),
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
