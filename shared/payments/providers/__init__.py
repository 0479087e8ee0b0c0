"""Payment gateway adapters (支付渠道适配): Alipay RSA2, WeChat Pay APIv3, UnionPay 5.1.0.

Each adapter module offers the same four functions:

- ``checkout(order) -> Checkout``: the signed request that sends the payer to the
  gateway (a form the browser submits);
- ``parse_notice(headers, body) -> Notice``: verify an asynchronous notification and
  return what it says; raises ``SignatureInvalid`` or ``NoticeRejected``;
- ``ack(ok, retry) -> HttpResponse``: the answer the gateway expects;
- ``bill_rows(day) -> list[BillRow]``: the gateway's bill file for a day, parsed.
"""

from __future__ import annotations

from types import ModuleType


def adapter(channel: str) -> ModuleType:
    from shared.payments.providers import alipay, unionpay, wechat

    adapters = {"alipay": alipay, "wechat": wechat, "unionpay": unionpay}
    if channel not in adapters:
        raise KeyError(channel)
    return adapters[channel]


CHANNELS = ("alipay", "wechat", "unionpay")
