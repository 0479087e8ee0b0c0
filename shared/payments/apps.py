from __future__ import annotations

from django.apps import AppConfig
from django.core.signals import setting_changed


def _forget_keys(*, setting: str, **kwargs: object) -> None:
    """Keys and clients are read once per process; a test that points ZHDJ_PAY at other
    files (override_settings) must get them read again, not the cached ones."""
    if setting != "ZHDJ_PAY":
        return
    from shared.payments.providers import alipay, unionpay
    from shared.payments.providers.base import _read

    for cached in (_read, alipay.client, unionpay.root_certificate):
        cached.cache_clear()


class PaymentsConfig(AppConfig):
    name = "shared.payments"
    label = "payments"
    verbose_name = "支付订单登记"

    def ready(self) -> None:
        setting_changed.connect(_forget_keys, dispatch_uid="payments-forget-keys")
