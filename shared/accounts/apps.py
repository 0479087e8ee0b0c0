from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shared.accounts"
    label = "accounts"
    verbose_name = "账号"

    def ready(self) -> None:
        # The login log: auth and lockout signals → security events.
        # Signed-in sessions (登录设备), the absolute cap, the password expiry.
        from shared.accounts import (
            sessions,
            signals,  # noqa: F401
        )

        sessions.connect()
