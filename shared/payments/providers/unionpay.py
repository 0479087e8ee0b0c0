"""UnionPay online payment (银联在线支付, gateway protocol 5.1.0), on ``cryptography``.

There is no UnionPay SDK on PyPI (security-notes.md). Signature method 01: the fields
but ``signature``, sorted, joined ``k=v&…``; SHA-256 of that as lowercase hex; that hex
signed with RSA-SHA256 (PKCS#1 v1.5), base64. A notification carries its signing
certificate (``signPubKeyCert``); we accept it only if it was issued by the root we
trust (``UNIONPAY_ROOT_CERT``), is within its validity, belongs to UnionPay's
organization (``UNIONPAY_CERT_ORG``) and its OU is ``UPOP``. ``merId`` must be ours and
``respCode`` ``00`` means paid. The answer is HTTP 200 (UnionPay retries otherwise).
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from functools import cache
from urllib.parse import parse_qsl

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

from shared.payments.providers.base import (
    BillRow,
    Checkout,
    Notice,
    NoticeRejected,
    Order,
    SignatureInvalid,
    _read,
    parse_bill_csv,
    pay_setting,
    private_key,
)

CHANNEL = "unionpay"


def signing_string(fields: dict[str, str]) -> bytes:
    text = "&".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "signature")
    return hashlib.sha256(text.encode()).hexdigest().encode()


def sign_fields(fields: dict[str, str], key_setting: str = "MERCHANT_PRIVATE_KEY") -> str:
    signature = private_key(key_setting).sign(
        signing_string(fields), padding.PKCS1v15(), hashes.SHA256()
    )
    return base64.b64encode(signature).decode()


@cache
def root_certificate() -> x509.Certificate:
    return x509.load_pem_x509_certificate(_read(pay_setting("UNIONPAY_ROOT_CERT")))


def trusted_signing_key(pem: str) -> RSAPublicKey:
    """The key of a signing certificate that chains to our root, or SignatureInvalid."""
    try:
        cert = x509.load_pem_x509_certificate(pem.encode())
    except ValueError as exc:
        raise SignatureInvalid("signPubKeyCert is not a certificate") from exc
    root = root_certificate()
    if cert.issuer != root.subject:
        raise SignatureInvalid("certificate not issued by the trusted root")
    try:
        root_key = root.public_key()
        assert isinstance(root_key, RSAPublicKey)
        root_key.verify(
            cert.signature,
            cert.tbs_certificate_bytes,
            padding.PKCS1v15(),
            cert.signature_hash_algorithm or hashes.SHA256(),
        )
    except InvalidSignature as exc:
        raise SignatureInvalid("certificate signature does not chain to the root") from exc
    now = datetime.now(UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise SignatureInvalid("certificate expired or not yet valid")
    org = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    unit = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    if not org or org[0].value != pay_setting("UNIONPAY_CERT_ORG"):
        raise SignatureInvalid("certificate is not UnionPay's")
    if not unit or unit[0].value != "UPOP":
        raise SignatureInvalid("certificate is not a UPOP signing certificate")
    key = cert.public_key()
    if not isinstance(key, RSAPublicKey):
        raise SignatureInvalid("not an RSA certificate")
    return key


def front_url(order: Order) -> str:
    if settings.ZHDJ_PAYMENT_DOUBLE:
        return f"{order.gateway_base}/pay/double/unionpay/frontTransReq.do"
    return pay_setting("UNIONPAY_FRONT")


def checkout(order: Order) -> Checkout:
    """Front consumption (消费, txnType 01) from a phone: a signed form POST."""
    fields = {
        "version": "5.1.0",
        "encoding": "UTF-8",
        "signMethod": "01",
        "txnType": "01",
        "txnSubType": "01",
        "bizType": "000201",
        "channelType": "08",
        "accessType": "0",
        "currencyCode": "156",
        "merId": pay_setting("UNIONPAY_MER_ID"),
        "orderId": order.order_no,
        "txnTime": timezone.localtime().strftime("%Y%m%d%H%M%S"),
        "txnAmt": str(order.amount_fen),
        "orderDesc": order.subject,
        "frontUrl": order.return_url,
        "backUrl": order.notify_url,
    }
    fields["signature"] = sign_fields(fields)
    return Checkout(front_url(order), "post", fields)


def parse_notice(headers: dict[str, str], body: bytes) -> Notice:
    raw = body.decode("utf-8", errors="replace")
    data = dict(parse_qsl(raw, keep_blank_values=True))
    signature = data.get("signature", "")
    if not signature or data.get("signMethod") != "01":
        raise SignatureInvalid("missing signature or unknown signMethod")
    key = trusted_signing_key(data.get("signPubKeyCert", ""))
    try:
        key.verify(
            base64.b64decode(signature, validate=True),
            signing_string(data),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, ValueError) as exc:
        raise SignatureInvalid("RSA-SHA256 signature does not verify") from exc
    if data.get("merId") != pay_setting("UNIONPAY_MER_ID"):
        raise NoticeRejected("merId is not ours")
    try:
        amount = int(data["txnAmt"])
        order_no, txn_id = data["orderId"], data["queryId"]
    except (KeyError, ValueError) as exc:
        raise NoticeRejected("notification not well formed") from exc
    return Notice(
        channel=CHANNEL,
        notify_id=f"{txn_id}:{data.get('respCode', '')}",
        order_no=order_no,
        txn_id=txn_id,
        amount_fen=amount,
        success=data.get("respCode") == "00",
        raw=raw,
    )


def ack(ok: bool, retry: bool = False) -> HttpResponse:
    return HttpResponse("ok" if ok else "fail", status=200 if ok else 500)


def bill_rows(day: str) -> list[BillRow]:
    from shared.payments.double.gateway import bill_file

    if not settings.ZHDJ_PAYMENT_DOUBLE:
        raise RuntimeError("UnionPay bill download is configured for the double only")
    return parse_bill_csv(bill_file(CHANNEL, day))
