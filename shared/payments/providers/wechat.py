"""WeChat Pay APIv3 (微信支付): RSA-SHA256 request signatures, notification verification
and AES-256-GCM resource decryption, written on ``cryptography``.

security-notes.md "Payment callbacks": wechatpayv3's ``callback`` verifies the signature
over ``timestamp\\nnonce\\nbody\\n`` and decrypts the resource, but has no timestamp
window and no replay check. Here: the timestamp must be within ±``WECHAT_TIMESTAMP_WINDOW``
seconds (default 300); the notification id is de-duplicated by the county's
``PaymentNotice`` (unique per channel), so a replayed notification is processed once;
signature probes (``WECHATPAY/SIGNTEST/…``) fail verification. ``appid`` and ``mchid``
of the decrypted resource must be ours. Answer 204, or 4xx/5xx with ``{"code":"FAIL"}``.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.http import HttpResponse, JsonResponse

from shared.payments.providers.base import (
    BEIJING,
    BillRow,
    Checkout,
    Notice,
    NoticeRejected,
    Order,
    SignatureInvalid,
    bill_row,
    parse_day,
    pay_setting,
    private_key,
    public_key,
)

CHANNEL = "wechat"
# POST /v3/pay/transactions/h5 with an out_trade_no already used and the same parameters
# answers for the same transaction (a new h5_url), so an unpaid order can be sent again.
REUSES_ORDER_NO = True
H5_PATH = "/v3/pay/transactions/h5"
BILL_PATH = "/v3/bill/tradebill"
PROBE_PREFIX = "WECHATPAY/SIGNTEST/"


def sign_message(message: str, key_setting: str = "MERCHANT_PRIVATE_KEY") -> str:
    signature = private_key(key_setting).sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def authorization(method: str, path: str, body: str) -> str:
    """The ``Authorization`` header of an APIv3 request (WECHATPAY2-SHA256-RSA2048)."""
    nonce = secrets.token_hex(16)
    stamp = str(int(time.time()))
    signature = sign_message(f"{method}\n{path}\n{stamp}\n{nonce}\n{body}\n")
    return (
        f'WECHATPAY2-SHA256-RSA2048 mchid="{pay_setting("WECHAT_MCH_ID")}",'
        f'nonce_str="{nonce}",signature="{signature}",timestamp="{stamp}",'
        f'serial_no="{pay_setting("WECHAT_CERT_SERIAL")}"'
    )


def _send(method: str, path: str, body: str) -> dict[str, Any]:
    headers = {
        "Authorization": authorization(method, path, body),
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    if settings.ZHDJ_PAYMENT_DOUBLE:
        from shared.payments.double.wechat_api import handle

        status, payload = handle(method, path, headers, body)
    else:  # pragma: no cover - needs the real gateway
        import requests

        url = pay_setting("WECHAT_API") + path
        response = requests.request(method, url, data=body, headers=headers, timeout=10)
        status, payload = response.status_code, response.json()
    if status >= 300:
        raise NoticeRejected(f"WeChat Pay answered {status}: {payload}")
    return payload


def checkout(order: Order) -> Checkout:
    """H5 payment: create the transaction, then send the browser to ``h5_url``."""
    fields: dict[str, Any] = {
        "appid": pay_setting("WECHAT_APP_ID"),
        "mchid": pay_setting("WECHAT_MCH_ID"),
        "description": order.subject,
        "out_trade_no": order.order_no,
        "notify_url": order.notify_url,
        "amount": {"total": order.amount_fen, "currency": "CNY"},
        "scene_info": {"payer_client_ip": "127.0.0.1", "h5_info": {"type": "Wap"}},
    }
    if order.expires_at is not None:  # RFC 3339
        fields["time_expire"] = order.expires_at.astimezone(BEIJING).isoformat(timespec="seconds")
    body = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    payload = _send("POST", H5_PATH, body)
    url = payload["h5_url"]
    if settings.ZHDJ_PAYMENT_DOUBLE:  # the double answers with a path on the public host
        url = order.gateway_base + url
    base, _, query = url.partition("?")
    fields = dict(parse_qsl(query))
    fields["redirect_url"] = order.return_url  # H5: where WeChat sends the payer back
    return Checkout(base, "get", fields)


def verify_signature(headers: dict[str, str], body: str) -> None:
    signature = headers.get("Wechatpay-Signature", "")
    stamp = headers.get("Wechatpay-Timestamp", "")
    nonce = headers.get("Wechatpay-Nonce", "")
    if not signature or not stamp or not nonce or signature.startswith(PROBE_PREFIX):
        raise SignatureInvalid("missing signature or a signature probe")
    try:
        age = abs(time.time() - int(stamp))
    except ValueError as exc:
        raise SignatureInvalid("bad timestamp") from exc
    if age > int(settings.ZHDJ_PAY["WECHAT_TIMESTAMP_WINDOW"]):
        raise SignatureInvalid("timestamp outside the window (replay?)")
    try:
        public_key("WECHAT_PLATFORM_PUBLIC_KEY").verify(
            base64.b64decode(signature, validate=True),
            f"{stamp}\n{nonce}\n{body}\n".encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, ValueError) as exc:
        raise SignatureInvalid("RSA signature does not verify") from exc


def decrypt_resource(resource: dict[str, str]) -> dict[str, Any]:
    if resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise NoticeRejected("unknown resource algorithm")
    key = pay_setting("WECHAT_APIV3_KEY").encode()
    try:
        plain = AESGCM(key).decrypt(
            resource["nonce"].encode(),
            base64.b64decode(resource["ciphertext"]),
            resource.get("associated_data", "").encode(),
        )
    except (InvalidTag, KeyError, ValueError) as exc:
        raise NoticeRejected("resource does not decrypt") from exc
    return json.loads(plain)


def parse_notice(headers: dict[str, str], body: bytes) -> Notice:
    text = body.decode("utf-8", errors="replace")
    verify_signature(headers, text)
    try:
        envelope = json.loads(text)
        resource = decrypt_resource(envelope["resource"])
        notify_id = envelope["id"]
        amount = int(resource["amount"]["total"])
        order_no, txn_id = resource["out_trade_no"], resource["transaction_id"]
    except (KeyError, TypeError, ValueError) as exc:
        raise NoticeRejected("notification not well formed") from exc
    if resource.get("appid") != pay_setting("WECHAT_APP_ID"):
        raise NoticeRejected("appid is not ours")
    if resource.get("mchid") != pay_setting("WECHAT_MCH_ID"):
        raise NoticeRejected("mchid is not ours")
    return Notice(
        channel=CHANNEL,
        notify_id=notify_id,
        order_no=order_no,
        txn_id=txn_id,
        amount_fen=amount,
        success=resource.get("trade_state") == "SUCCESS",
        raw=text,
    )


def ack(ok: bool, retry: bool = False) -> HttpResponse:
    if ok:
        return HttpResponse(status=204)
    return JsonResponse({"code": "FAIL", "message": "失败"}, status=503 if retry else 400)


def bill_rows(day: str) -> list[BillRow]:
    """The day's trade bill (申请交易账单 + 下载账单): ``GET /v3/bill/tradebill`` gives the
    download URL and the file's SHA1; the file is fetched with a signed GET, its hash
    checked, and its successful trades read."""
    parse_day(day)  # a calendar day, or ValueError
    info = _send("GET", f"{BILL_PATH}?bill_date={day}&bill_type=SUCCESS", "")
    content = _download(info["download_url"])
    digest = hashlib.sha1(content).hexdigest()  # noqa: S324 - the hash WeChat Pay names
    if info.get("hash_type") != "SHA1" or digest != info.get("hash_value"):
        raise NoticeRejected("bill file hash does not match")
    return parse_trade_bill(content.decode("utf-8"))


def _download(url: str) -> bytes:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Authorization": authorization("GET", path, ""), "Accept": "*/*"}
    if settings.ZHDJ_PAYMENT_DOUBLE:
        from shared.payments.double.wechat_api import download

        status, content = download(path, headers)
    else:  # pragma: no cover - needs the real gateway
        import requests

        response = requests.get(url, headers=headers, timeout=30)
        status, content = response.status_code, response.content
    if status >= 300:
        raise NoticeRejected(f"WeChat Pay bill download answered {status}")
    return content


TRADE_BILL_COLUMNS = ("交易时间", "微信订单号", "商户订单号", "交易状态", "应结订单金额")


def parse_trade_bill(text: str) -> list[BillRow]:
    """WeChat Pay's trade bill: a header line, one line per trade with every field prefixed
    by a backtick, then the totals (``总交易单数,…``). Only SUCCESS trades are paid rows;
    times are Beijing time."""
    lines = text.lstrip("\ufeff").splitlines()
    header = [h.strip() for h in next(csv.reader(lines[:1]), [])]
    if any(c not in header for c in TRADE_BILL_COLUMNS):
        raise NoticeRejected("bill file header not recognised")
    at = {c: header.index(c) for c in TRADE_BILL_COLUMNS}
    rows = []
    for fields in csv.reader(lines[1:]):
        if not fields or fields[0].startswith("总交易单数"):
            break
        value = [f.strip().removeprefix("`") for f in fields]
        if value[at["交易状态"]] != "SUCCESS":
            continue
        rows.append(
            bill_row(
                value[at["商户订单号"]],
                value[at["微信订单号"]],
                value[at["应结订单金额"]],
                value[at["交易时间"]],
            )
        )
    return rows
