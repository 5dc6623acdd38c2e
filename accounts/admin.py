from django.contrib import admin, messages
from knox.models import AuthToken as KnoxAuthToken

from . import lockout
from .models import AuthToken, FailedSignIn

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


@admin.register(FailedSignIn)
class FailedSignInAdmin(admin.ModelAdmin):
    """Failed sign-ins counted by the lock-out (django-axes' counters). Clinic admins see those
    of their clinics' accounts and unlock them with the action; superusers see every counter,
    client addresses included. Nobody edits a counter by hand."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time", "path_info"]
    search_fields = ["username"]
    actions = ["unlock_accounts"]
    ordering = ["-attempt_time"]

    def _is_clinic_admin(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and bool(lockout.administered_clinic_ids(user))

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser or self._is_clinic_admin(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_list_display(self, request):
        if request.user.is_superuser:
            return self.list_display
        # A clinic admin sees their people's accounts, not where the attempts came from.
        return ["username", "failures_since_start", "attempt_time"]

    def get_queryset(self, request):
        attempts = super().get_queryset(request)
        if request.user.is_superuser:
            return attempts
        usernames = lockout.accounts_unlockable_by(request.user).values("username")
        return attempts.filter(username__in=usernames)

    @admin.action(description="Unlock the selected accounts")
    def unlock_accounts(self, request, queryset):
        usernames = set(queryset.values_list("username", flat=True))
        unlocked = []
        for user in lockout.accounts_unlockable_by(request.user).filter(username__in=usernames):
            lockout.unlock_account(user)
            unlocked.append(user.get_username())
        if request.user.is_superuser:
            # Counters of names with no account, or of client addresses, only a superuser clears.
            queryset.exclude(username__in=unlocked).delete()
        self.message_user(
            request,
            f"Unlocked {len(unlocked)} account{'s' if len(unlocked) != 1 else ''}: "
            f"{', '.join(sorted(unlocked)) or 'none'}.",
            messages.SUCCESS,
        )
