from rest_framework import serializers

from .models import AuthToken


class SignInSerializer(serializers.Serializer):
    username = serializers.CharField(
        max_length=254, trim_whitespace=True, help_text="Username or email address."
    )
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token …`; shown only once.")
    expires_at = serializers.DateTimeField()


class TokenSerializer(serializers.ModelSerializer):
    expires_at = serializers.DateTimeField(source="expiry", read_only=True)
    current = serializers.SerializerMethodField(
        help_text="True for the token this request was made with."
    )

    class Meta:
        model = AuthToken
        fields = ["id", "created", "expires_at", "client", "current"]
        read_only_fields = fields

    def get_current(self, token: AuthToken) -> bool:
        auth = self.context["request"].auth
        return isinstance(auth, AuthToken) and auth.pk == token.pk


class UnlockIn(serializers.Serializer):
    account = serializers.CharField(
        max_length=254, help_text="Username or email address of the account to unlock."
    )


class UnlockOut(serializers.Serializer):
    account = serializers.CharField(help_text="The account's username.")
    was_locked = serializers.BooleanField()
    failures_cleared = serializers.IntegerField(
        help_text="Failed sign-ins that no longer count against the account."
    )
