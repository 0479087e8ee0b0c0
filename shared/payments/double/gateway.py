"""The double's gateway side: trades, signed notifications, delivery with retries, bill file."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import logging
import secrets
import threading
import time
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from shared.payments.models import DoubleTrade
from shared.payments.providers.base import BEIJING, parse_day, pay_setting, yuan

log = logging.getLogger(__name__)
KEYS = Path(__file__).resolve().parent / "test_keys"
RETRY_DELAYS = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0)


class DoubleRefused(Exception):
    """The double refuses a request (bad merchant signature, unknown trade)."""


@cache
def _private(name: str) -> RSAPrivateKey:
    key = serialization.load_pem_private_key((KEYS / name).read_bytes(), password=None)
    assert isinstance(key, RSAPrivateKey)
    return key


@cache
def _public(name: str) -> RSAPublicKey:
    key = serialization.load_pem_public_key((KEYS / name).read_bytes())
    assert isinstance(key, RSAPublicKey)
    return key


def sign(message: bytes, key: str = "TEST_ONLY_gateway_private.pem") -> str:
    return base64.b64encode(
        _private(key).sign(message, padding.PKCS1v15(), hashes.SHA256())
    ).decode()


def merchant_signature_ok(message: bytes, signature: str) -> bool:
    try:
        _public("TEST_ONLY_merchant_public.pem").verify(
            base64.b64decode(signature), message, padding.PKCS1v15(), hashes.SHA256()
        )
    except Exception:
        return False
    return True


def trade_open(
    *,
    channel: str,
    order_no: str,
    app_id: str,
    amount_fen: int,
    subject: str,
    notify_url: str,
    return_url: str,
    expires_at: datetime | None = None,
) -> DoubleTrade:
    """Open (or reopen) the gateway's trade for an order: one trade per order number."""
    trade, _ = DoubleTrade.objects.get_or_create(
        channel=channel,
        order_no=order_no,
        defaults={
            "txn_id": f"{channel[:2].upper()}{timezone.localtime():%Y%m%d}{secrets.token_hex(8)}",
            "app_id": app_id,
            "amount_fen": amount_fen,
            "subject": subject[:128],
            "notify_url": notify_url,
            "return_url": return_url,
            "expires_at": expires_at,
        },
    )
    return trade


def expiry(text: str | None, fmt: str) -> datetime | None:
    """An order request's expiry field (Beijing time unless it says otherwise)."""
    if not text:
        return None
    try:
        moment = datetime.strptime(text, fmt)  # noqa: DTZ007 - zoned below if the text has none
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def trade_expired(trade: DoubleTrade) -> bool:
    return (
        trade.status != DoubleTrade.Status.PAID
        and trade.expires_at is not None
        and timezone.now() > trade.expires_at
    )


def trade_pay(trade: DoubleTrade) -> DoubleTrade:
    """The payer confirms: the trade is paid and its notification goes out after commit."""
    with transaction.atomic():
        locked = DoubleTrade.objects.select_for_update().get(pk=trade.pk)
        if locked.status != DoubleTrade.Status.PAID:
            locked.status = DoubleTrade.Status.PAID
            locked.paid_at = timezone.now()
            locked.save(update_fields=["status", "paid_at"])
        transaction.on_commit(lambda: deliver_later(locked.pk))
    return locked


# --- notifications, one builder per protocol --------------------------------------------


def alipay_notice(trade: DoubleTrade, *, amount_fen: int | None = None) -> tuple[dict, bytes]:
    fields = {
        "notify_time": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
        "notify_type": "trade_status_sync",
        "notify_id": f"N{trade.txn_id}",
        "app_id": trade.app_id,
        "charset": "utf-8",
        "version": "1.0",
        "trade_no": trade.txn_id,
        "out_trade_no": trade.order_no,
        "seller_id": pay_setting("ALIPAY_SELLER_ID"),
        "total_amount": yuan(trade.amount_fen if amount_fen is None else amount_fen),
        "trade_status": "TRADE_SUCCESS",
        "subject": trade.subject,
    }
    message = "&".join(f"{k}={fields[k]}" for k in sorted(fields))
    fields["sign_type"] = "RSA2"
    fields["sign"] = sign(message.encode())
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    return headers, urlencode(fields).encode()


def wechat_notice(
    trade: DoubleTrade, *, amount_fen: int | None = None, timestamp: int | None = None
) -> tuple[dict, bytes]:
    resource = {
        "appid": trade.app_id,
        "mchid": pay_setting("WECHAT_MCH_ID"),
        "out_trade_no": trade.order_no,
        "transaction_id": trade.txn_id,
        "trade_type": "MWEB",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "success_time": timezone.localtime(trade.paid_at).isoformat(timespec="seconds"),
        "amount": {"total": trade.amount_fen if amount_fen is None else amount_fen},
    }
    nonce = secrets.token_hex(6)
    ciphertext = AESGCM(pay_setting("WECHAT_APIV3_KEY").encode()).encrypt(
        nonce.encode(), json.dumps(resource).encode(), b"transaction"
    )
    body = json.dumps(
        {
            "id": hashlib.sha256(trade.txn_id.encode()).hexdigest()[:36],
            "create_time": timezone.localtime().isoformat(timespec="seconds"),
            "resource_type": "encrypt-resource",
            "event_type": "TRANSACTION.SUCCESS",
            "summary": "支付成功",
            "resource": {
                "original_type": "transaction",
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(ciphertext).decode(),
                "associated_data": "transaction",
                "nonce": nonce,
            },
        }
    )
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    head_nonce = secrets.token_hex(16)
    headers = {
        "Content-Type": "application/json",
        "Wechatpay-Timestamp": stamp,
        "Wechatpay-Nonce": head_nonce,
        "Wechatpay-Serial": "TESTONLYPLATFORMSERIAL",
        "Wechatpay-Signature": sign(f"{stamp}\n{head_nonce}\n{body}\n".encode()),
    }
    return headers, body.encode()


def unionpay_notice(trade: DoubleTrade, *, amount_fen: int | None = None) -> tuple[dict, bytes]:
    from shared.payments.providers.unionpay import signing_string

    fields = {
        "version": "5.1.0",
        "encoding": "UTF-8",
        "signMethod": "01",
        "txnType": "01",
        "txnSubType": "01",
        "bizType": "000201",
        "accessType": "0",
        "merId": trade.app_id,
        "orderId": trade.order_no,
        "queryId": trade.txn_id,
        "txnTime": timezone.localtime(trade.created_at).strftime("%Y%m%d%H%M%S"),
        "txnAmt": str(trade.amount_fen if amount_fen is None else amount_fen),
        "currencyCode": "156",
        "respCode": "00",
        "respMsg": "成功[0000000]",
        "signPubKeyCert": (KEYS / "TEST_ONLY_unionpay_sign.crt").read_text(),
    }
    fields["signature"] = sign(signing_string(fields), "TEST_ONLY_unionpay_sign_private.pem")
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    return headers, urlencode(fields).encode()


NOTICES = {"alipay": alipay_notice, "wechat": wechat_notice, "unionpay": unionpay_notice}


def notice_for(trade: DoubleTrade, **kwargs: int) -> tuple[dict, bytes]:
    return NOTICES[trade.channel](trade, **kwargs)


def _accepted(channel: str, status: int, body: bytes) -> bool:
    if channel == "alipay":
        return status == 200 and body.strip() == b"success"
    return 200 <= status < 300


def post_notice(trade: DoubleTrade) -> bool:
    """POST the trade's notification to its notify_url once; True if acknowledged."""
    headers, body = notice_for(trade)
    parts = urlsplit(trade.notify_url)
    host = parts.hostname or "127.0.0.1"
    # *.localhost names are loopback (RFC 6761); connect there, keep the Host header.
    address = "127.0.0.1" if host == "localhost" or host.endswith(".localhost") else host
    connection = http.client.HTTPConnection(address, parts.port or 80, timeout=10)
    try:
        connection.request(
            "POST",
            parts.path or "/",
            body=body,
            headers={**headers, "Host": parts.netloc},
        )
        response = connection.getresponse()
        return _accepted(trade.channel, response.status, response.read())
    except OSError:
        return False
    finally:
        connection.close()


def deliver(trade_id: int, delays: tuple[float, ...] = RETRY_DELAYS) -> bool:
    """Send the notification until acknowledged, like a gateway's retry schedule."""
    for delay in delays:
        time.sleep(delay)
        trade = DoubleTrade.objects.get(pk=trade_id)
        DoubleTrade.objects.filter(pk=trade_id).update(notify_attempts=F("notify_attempts") + 1)
        if post_notice(trade):
            DoubleTrade.objects.filter(pk=trade_id).update(notified_at=timezone.now())
            return True
    log.warning("double: notification for trade %s not acknowledged", trade_id)
    return False


def deliver_later(trade_id: int) -> None:
    """Asynchronous, as a gateway is: a background thread (the double has no queue)."""
    if getattr(settings, "ZHDJ_PAYMENT_DOUBLE_SYNC", False):
        return

    def run() -> None:
        close_old_connections()
        try:
            deliver(trade_id)
        finally:
            close_old_connections()

    threading.Thread(target=run, name=f"double-notify-{trade_id}", daemon=True).start()


def paid_trades(channel: str, day: str) -> list[DoubleTrade]:
    """The channel's trades paid on ``day`` (Beijing time), each with ``paid_local``."""
    start = timezone.make_aware(parse_day(day))
    end = start + timedelta(days=1)
    trades = list(
        DoubleTrade.objects.filter(
            channel=channel, status=DoubleTrade.Status.PAID, paid_at__gte=start, paid_at__lt=end
        ).order_by("paid_at", "pk")
    )
    for t in trades:
        t.paid_local = timezone.localtime(t.paid_at)
    return trades
