from __future__ import annotations

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "shared.customers"
    label = "customers"
    verbose_name = "区县租户"

    def ready(self) -> None:
        from shared.customers import signals  # noqa: F401
        from zhdj.tenancy import executor  # noqa: F401  (registers --executor pending)
