"""Deactivating a user revokes every API token they hold, whichever screen or script did it."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver

from . import services


@receiver(post_save, sender=get_user_model(), dispatch_uid="accounts.revoke_on_deactivate")
def revoke_tokens_of_inactive_user(sender, instance, **kwargs) -> None:
    if not instance.is_active:
        services.revoke_all_tokens(instance)
