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
import io
import zipfile
import zlib
from datetime import UTC, datetime
from functools import cache
from urllib.parse import parse_qsl, urlencode

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
    BEIJING,
    BillRow,
    Checkout,
    Notice,
    NoticeRejected,
    Order,
    SignatureInvalid,
    _read,
    parse_day,
    pay_setting,
    private_key,
)

CHANNEL = "unionpay"
# A front request names its trade by orderId + txnTime, and a repeated orderId is not
# documented as continuing the trade: each try gets a new order number.
REUSES_ORDER_NO = False
# The general transaction detail file (全渠道商户一般交易明细, ZM): one record per line,
# these fixed widths, one space between fields. Only the first of its 131-character
# reserved tail is kept out.
ZM_FIELDS: tuple[tuple[str, int], ...] = (
    ("tradeCode", 3), ("acqInsCode", 11), ("sendInsCode", 11), ("traceNo", 6),
    ("txnTime", 10), ("payCardNo", 19), ("txnAmt", 12), ("merCatCode", 4), ("termType", 2),
    ("queryId", 21), ("oldPayType", 2), ("orderId", 32), ("payCardType", 2),
    ("origTraceNo", 6), ("origTxnTime", 10), ("merCharge", 13), ("settleAmt", 13),
    ("payType", 4), ("groupMerId", 15), ("txnType", 2), ("txnSubType", 2), ("bizType", 6),
    ("accType", 2), ("billType", 4), ("billNo", 32), ("interactMode", 1), ("origQueryId", 21),
    ("merId", 15),
)  # fmt: skip


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
    if order.expires_at is not None:  # 支付超时时间, Beijing time
        fields["payTimeout"] = f"{order.expires_at.astimezone(BEIJING):%Y%m%d%H%M%S}"
    fields["signature"] = sign_fields(fields)
    return Checkout(front_url(order), "post", fields)


def verify_fields(data: dict[str, str]) -> None:
    """A UnionPay message's signature, by the certificate it carries (which must chain to
    our root), or SignatureInvalid."""
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


def parse_notice(headers: dict[str, str], body: bytes) -> Notice:
    raw = body.decode("utf-8", errors="replace")
    data = dict(parse_qsl(raw, keep_blank_values=True))
    verify_fields(data)
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
    """The day's reconciliation file through file transfer (文件传输, txnType 76,
    fileType 00): a signed request, a signed answer whose ``fileContent`` is the zip
    (deflated, base64); its ZM file's consumption records are the paid trades."""
    settle = parse_day(day)
    fields = {
        "version": "5.1.0", "encoding": "UTF-8", "signMethod": "01", "txnType": "76",
        "txnSubType": "01", "bizType": "000000", "accessType": "0",
        "merId": pay_setting("UNIONPAY_MER_ID"), "settleDate": f"{settle:%m%d}",
        "txnTime": timezone.localtime().strftime("%Y%m%d%H%M%S"), "fileType": "00",
    }  # fmt: skip
    fields["signature"] = sign_fields(fields)
    if settings.ZHDJ_PAYMENT_DOUBLE:
        from shared.payments.double.unionpay_api import file_transfer

        raw = file_transfer(urlencode(fields))
    else:  # pragma: no cover - needs the real gateway
        import requests

        raw = requests.post(pay_setting("UNIONPAY_FILE"), data=fields, timeout=30).text
    data = dict(parse_qsl(raw, keep_blank_values=True))
    verify_fields(data)
    if data.get("merId") != pay_setting("UNIONPAY_MER_ID"):
        raise NoticeRejected("merId is not ours")
    if data.get("respCode") == "98":  # 文件不存在: no trade that day
        return []
    if data.get("respCode") != "00":
        raise NoticeRejected(f"UnionPay answered {data.get('respCode')}: {data.get('respMsg')}")
    try:
        archive = zlib.decompress(base64.b64decode(data["fileContent"], validate=True))
        with zipfile.ZipFile(io.BytesIO(archive)) as z:
            names = [n for n in z.namelist() if "ZM_" in n]
            if len(names) != 1:
                raise NoticeRejected("no ZM file in the reconciliation zip")
            text = z.read(names[0]).decode("gbk")
    except (KeyError, ValueError, zlib.error, zipfile.BadZipFile) as exc:
        raise NoticeRejected("the reconciliation file does not unpack") from exc
    return parse_zm(text, year=settle.year)


def parse_zm(text: str, *, year: int) -> list[BillRow]:
    """ZM records; consumption (txnType 01) is a paid trade. The file gives the time as
    MMDDhhmmss: the year is the settlement day's."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        values, at = {}, 0
        for name, width in ZM_FIELDS:
            values[name] = line[at : at + width].strip()
            at += width + 1
        if values["txnType"] != "01":
            continue
        try:
            stamp = datetime.strptime(f"{year}{values['txnTime']}", "%Y%m%d%H%M%S").replace(
                tzinfo=BEIJING
            )
            amount = int(values["txnAmt"])
        except ValueError as exc:
            raise NoticeRejected("a ZM record is not well formed") from exc
        rows.append(
            BillRow(
                values["orderId"],
                values["queryId"],
                amount,
                stamp.isoformat(),
            )
        )
    return rows
