from __future__ import annotations

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "shared.payments"
    label = "payments"
    verbose_name = "支付订单登记"
