"""The payment-order registry: register an order for the current county, look one up."""

from __future__ import annotations

import secrets

from django.db import connection
from django.utils import timezone

from shared.payments.models import PaymentOrder


def order_no_new(prefix: str = "DF") -> str:
    """A unique, unguessable order number: prefix, Beijing time, 10 random hex digits
    (28 characters; fits Alipay's 64, WeChat's 32 and UnionPay's 8–40)."""
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    return f"{prefix}{stamp}{secrets.token_hex(5).upper()}"


def order_register(*, order_no: str, channel: str, amount_fen: int) -> PaymentOrder:
    """Record that ``order_no`` belongs to the county the connection is on. Call inside
    the transaction that creates the county's order."""
    schema = connection.schema_name
    if schema in (None, "public"):
        raise RuntimeError("payment orders belong to a county schema")
    return PaymentOrder.objects.create(
        order_no=order_no, schema_name=schema, channel=channel, amount_fen=amount_fen
    )


def order_lookup(order_no: str) -> PaymentOrder | None:
    return PaymentOrder.objects.filter(order_no=order_no).first()
