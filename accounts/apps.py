from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Sign-in and API tokens"

    def ready(self) -> None:
        from . import (
            schema,  # noqa: F401  (the token scheme in the OpenAPI schema)
            signals,  # noqa: F401  (deactivating a user revokes their tokens)
        )
