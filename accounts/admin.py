from django.contrib import admin
from knox.models import AuthToken as KnoxAuthToken

from .models import AuthToken

# knox registers its own token model, which ours replaces (KNOX_TOKEN_MODEL).
if admin.site.is_registered(KnoxAuthToken):
    admin.site.unregister(KnoxAuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    """Superusers may see and revoke tokens; issuing one takes a sign-in, not this screen."""

    list_display = ["id", "user", "client", "created", "expiry"]
    search_fields = ["user__username", "user__email"]
    fields = ["user", "client", "created", "expiry"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
