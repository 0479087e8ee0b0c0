"""Payment gateway adapters (支付渠道适配): Alipay RSA2, WeChat Pay APIv3, UnionPay 5.1.0.

Each adapter module offers the same four functions:

- ``checkout(order) -> Checkout``: the signed request that sends the payer to the
  gateway (a form the browser submits);
- ``parse_notice(headers, body) -> Notice``: verify an asynchronous notification and
  return what it says; raises ``SignatureInvalid`` or ``NoticeRejected``;
- ``ack(ok, retry) -> HttpResponse``: the answer the gateway expects;
- ``bill_rows(day) -> list[BillRow]``: the gateway's bill file for a day, parsed;

and the constant ``REUSES_ORDER_NO``: whether an unpaid order may be sent to the gateway
again under the same number (the gateway continues the same trade).

Callers start a payment through ``checkout_start``, which turns every way the gateway
can fail to start (no keys configured, unreachable, refused) into ``CheckoutFailed``.
"""

from __future__ import annotations

import logging
from types import ModuleType

from shared.payments.providers.base import Checkout, CheckoutFailed, Order

log = logging.getLogger(__name__)


def adapter(channel: str) -> ModuleType:
    from shared.payments.providers import alipay, unionpay, wechat

    adapters = {"alipay": alipay, "wechat": wechat, "unionpay": unionpay}
    if channel not in adapters:
        raise KeyError(channel)
    return adapters[channel]


CHANNELS = ("alipay", "wechat", "unionpay")


def checkout_start(channel: str, order: Order) -> Checkout:
    """The signed request for the payer's browser, or ``CheckoutFailed``.

    A key file missing or unreadable, a gateway down or answering an error, an answer we
    cannot read: all mean the same to the payer (the payment did not start), and each
    adapter and SDK raises its own kind, so everything is caught here and logged whole.
    """
    try:
        return adapter(channel).checkout(order)
    except Exception as exc:  # the boundary to keys on disk and to remote gateways
        log.exception("payments: %s order %s could not be started", channel, order.order_no)
        raise CheckoutFailed(f"{channel}: {exc}") from exc


def order_no_reusable(channel: str) -> bool:
    """Whether an unpaid order may be sent again under the same number (see the adapter)."""
    return bool(getattr(adapter(channel), "REUSES_ORDER_NO", False))
