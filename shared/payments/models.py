"""Payment-order registry (支付订单登记) in public, and the gateway double's own records.

A gateway's notification arrives on the public host and names only the order number.
``PaymentOrder`` maps that number to the county schema whose ``DuesPayment`` holds the
order, so the callback enters the right tenant. The row is written in the same database
transaction as the county's order: until that commits, the callback finds nothing and
is answered with a retryable error. No foreign key points into a tenant schema.

``DoubleTrade`` belongs to the local gateway double only (what the "gateway" knows about
a trade: amount, its transaction id, when it was paid, the notification attempts); the
double's bill file is made from it.
"""

from __future__ import annotations

from django.db import models


class PaymentOrder(models.Model):
    """Order number → county schema (订单号登记)."""

    order_no = models.CharField("订单号", max_length=40, unique=True)
    schema_name = models.CharField("区县模式", max_length=63, db_index=True)
    channel = models.CharField("支付渠道", max_length=16)
    amount_fen = models.BigIntegerField("金额（分）")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "支付订单登记"
        verbose_name_plural = "支付订单登记"

    def __str__(self) -> str:
        return f"{self.order_no} → {self.schema_name}"


class DoubleTrade(models.Model):
    """A trade as the local gateway double sees it (测试支付网关交易). Demo and tests only."""

    class Status(models.TextChoices):
        WAITING = "waiting", "待付款"
        PAID = "paid", "已付款"

    channel = models.CharField(max_length=16)
    order_no = models.CharField(max_length=40)
    txn_id = models.CharField(max_length=64, unique=True)
    app_id = models.CharField(max_length=64)
    amount_fen = models.BigIntegerField()
    subject = models.CharField(max_length=128, blank=True)
    notify_url = models.URLField(max_length=300)
    return_url = models.URLField(max_length=300, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)
    paid_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # from the order request
    notify_attempts = models.PositiveSmallIntegerField(default=0)
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "order_no"], name="double_trade_order")
        ]
        verbose_name = "测试网关交易"
        verbose_name_plural = "测试网关交易"

    def __str__(self) -> str:
        return f"{self.channel} {self.order_no} {self.status}"
