"""Alipay (支付宝) with RSA2 through python-alipay-sdk, plus what the SDK leaves out.

security-notes.md "Payment callbacks": ``AliPay.verify`` does not strip ``sign`` from the
data, so we do; after the signature we check ``app_id`` and ``seller_id`` ourselves (the
amount and the order are checked against the county's order by the dues handler), and a
trade counts as paid only in ``TRADE_SUCCESS`` / ``TRADE_FINISHED``. The answer is the
plain text ``success`` (Alipay retries until it gets it).
"""

from __future__ import annotations

from functools import cache
from urllib.parse import parse_qsl

from alipay import AliPay
from django.conf import settings
from django.http import HttpResponse

from shared.payments.providers.base import (
    BillRow,
    Checkout,
    Notice,
    NoticeRejected,
    Order,
    SignatureInvalid,
    fen_of,
    parse_bill_csv,
    pay_setting,
    pem_text,
    yuan,
)

CHANNEL = "alipay"
PAID_STATES = frozenset({"TRADE_SUCCESS", "TRADE_FINISHED"})


@cache
def client() -> AliPay:
    return AliPay(
        appid=pay_setting("ALIPAY_APP_ID"),
        app_private_key_string=pem_text("MERCHANT_PRIVATE_KEY"),
        alipay_public_key_string=pem_text("ALIPAY_PUBLIC_KEY"),
        sign_type="RSA2",
    )


def gateway_url(order: Order) -> str:
    if settings.ZHDJ_PAYMENT_DOUBLE:
        return f"{order.gateway_base}/pay/double/alipay/gateway.do"
    return pay_setting("ALIPAY_GATEWAY")


def checkout(order: Order) -> Checkout:
    """alipay.trade.wap.pay (phone cashier): a signed GET to the gateway."""
    signed = client().api_alipay_trade_wap_pay(
        subject=order.subject,
        out_trade_no=order.order_no,
        total_amount=yuan(order.amount_fen),
        return_url=order.return_url,
        notify_url=order.notify_url,
    )
    return Checkout(gateway_url(order), "get", dict(parse_qsl(signed, keep_blank_values=True)))


def parse_notice(headers: dict[str, str], body: bytes) -> Notice:
    raw = body.decode("utf-8", errors="replace")
    data = dict(parse_qsl(raw, keep_blank_values=True))
    signature = data.pop("sign", "")  # the SDK verifies over what it is given: strip sign
    if not signature or data.get("sign_type", "RSA2") != "RSA2":
        raise SignatureInvalid("missing signature or not RSA2")
    try:
        valid = client().verify(dict(data), signature)
    except Exception as exc:  # malformed base64 or key errors: not a valid signature
        raise SignatureInvalid(str(exc)) from exc
    if not valid:
        raise SignatureInvalid("RSA2 signature does not verify")
    if data.get("app_id") != pay_setting("ALIPAY_APP_ID"):
        raise NoticeRejected("app_id is not ours")
    if data.get("seller_id") != pay_setting("ALIPAY_SELLER_ID"):
        raise NoticeRejected("seller_id is not ours")
    for key in ("notify_id", "out_trade_no", "trade_no", "total_amount", "trade_status"):
        if not data.get(key):
            raise NoticeRejected(f"{key} missing")
    return Notice(
        channel=CHANNEL,
        notify_id=data["notify_id"],
        order_no=data["out_trade_no"],
        txn_id=data["trade_no"],
        amount_fen=fen_of(data["total_amount"]),
        success=data["trade_status"] in PAID_STATES,
        raw=raw,
    )


def ack(ok: bool, retry: bool = False) -> HttpResponse:
    return HttpResponse("success" if ok else "fail", content_type="text/plain")


def bill_rows(day: str) -> list[BillRow]:
    from shared.payments.double.gateway import bill_file

    if not settings.ZHDJ_PAYMENT_DOUBLE:
        raise RuntimeError("Alipay bill download is configured for the double only (docs/dues.md)")
    return parse_bill_csv(bill_file(CHANNEL, day))
