"""Gateway notifications (security-notes.md "Payment callbacks"), through the public host."""

from __future__ import annotations

import base64
import datetime as dt
import time
from urllib.parse import parse_qsl, urlencode

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from django.db import connection
from django_tenants.utils import schema_context

from shared.payments.double.gateway import sign
from shared.payments.providers.unionpay import signing_string
from tenants.dues.models import DuesBill, DuesPayment, PaymentNotice, ReconciliationMismatch
from tests.shared.payments.conftest import acknowledged, deliver, order_in, send, trade_of

CHANNELS = ["alipay", "wechat", "unionpay"]


def _state(schema: str, order_no: str) -> tuple[str, list[str], int]:
    with schema_context(schema):
        payment = DuesPayment.objects.get(order_no=order_no)
        bills = list(DuesBill.objects.filter(payment=payment).values_list("status", flat=True))
        notices = PaymentNotice.objects.filter(order_no=order_no).count()
        return payment.status, bills, notices


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_verified_notice_pays_the_order_and_its_bills(db, alpha, channel):
    payment = order_in(alpha.schema, channel)
    response = deliver(trade_of(payment))
    assert acknowledged(channel, response), response.content
    assert _state(alpha.schema, payment.order_no) == ("paid", ["paid"], 1)
    with schema_context(alpha.schema), connection.cursor() as cursor:
        cursor.execute("SELECT raw FROM dues_paymentnotice WHERE order_no = %s", [payment.order_no])
        (raw,) = cursor.fetchone()
    assert raw.startswith("v1") and payment.order_no not in raw  # kept, encrypted


@pytest.mark.parametrize("channel", CHANNELS)
def test_the_same_notice_twice_is_processed_once(db, alpha, channel):
    payment = order_in(alpha.schema, channel)
    trade = trade_of(payment)
    first, second = deliver(trade), deliver(trade)
    assert acknowledged(channel, first) and acknowledged(channel, second)
    assert _state(alpha.schema, payment.order_no) == ("paid", ["paid"], 1)
    with schema_context(alpha.schema):
        paid = DuesPayment.objects.get(pk=payment.pk)
        assert paid.provider_txn_id == trade.txn_id


def _tampered(channel: str, headers: dict, body: bytes) -> tuple[dict, bytes]:
    if channel == "wechat":
        return headers, body.replace(b'"summary"', b'"summarx"')
    fields = dict(parse_qsl(body.decode()))
    key = "total_amount" if channel == "alipay" else "txnAmt"
    fields[key] = "0.01" if channel == "alipay" else "1"
    return headers, urlencode(fields).encode()


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_forged_or_altered_notice_is_refused(db, alpha, channel):
    from shared.payments.double.gateway import notice_for

    payment = order_in(alpha.schema, channel)
    headers, body = _tampered(channel, *notice_for(trade_of(payment)))
    response = send(channel, headers, body)
    assert not acknowledged(channel, response)
    assert _state(alpha.schema, payment.order_no) == ("pending", [], 0)


def test_an_alipay_notice_signed_by_the_merchant_key_is_refused(db, alpha):
    from shared.payments.double.gateway import notice_for

    payment = order_in(alpha.schema, "alipay")
    headers, body = notice_for(trade_of(payment))
    fields = dict(parse_qsl(body.decode()))
    fields.pop("sign")
    fields.pop("sign_type")
    message = "&".join(f"{k}={fields[k]}" for k in sorted(fields))
    fields["sign"] = sign(message.encode(), "TEST_ONLY_merchant_private.pem")
    fields["sign_type"] = "RSA2"
    assert send("alipay", headers, urlencode(fields).encode()).content == b"fail"


def test_an_alipay_notice_for_another_app_is_refused(db, alpha):
    payment = order_in(alpha.schema, "alipay")
    trade = trade_of(payment)
    trade.app_id = "2026999999999999"
    assert deliver(trade).content == b"fail"
    assert _state(alpha.schema, payment.order_no)[0] == "pending"


def test_wechat_signature_probes_and_stale_timestamps_are_refused(db, alpha):
    from shared.payments.double.gateway import notice_for

    payment = order_in(alpha.schema, "wechat")
    trade = trade_of(payment)
    headers, body = notice_for(trade)
    probe = {
        **headers,
        "Wechatpay-Signature": "WECHATPAY/SIGNTEST/" + headers["Wechatpay-Signature"],
    }
    assert send("wechat", probe, body).status_code == 400
    stale = deliver(trade, timestamp=int(time.time()) - 301)  # a replay from 5 minutes ago
    assert stale.status_code == 400 and stale.json()["code"] == "FAIL"
    assert _state(alpha.schema, payment.order_no) == ("pending", [], 0)
    assert deliver(trade, timestamp=int(time.time()) - 200).status_code == 204


def test_a_unionpay_certificate_outside_the_trusted_chain_is_refused(db, alpha):
    from shared.payments.double.gateway import notice_for

    payment = order_in(alpha.schema, "unionpay")
    headers, body = notice_for(trade_of(payment))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "China UnionPay TEST ONLY"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "UPOP"),
            x509.NameAttribute(NameOID.COMMON_NAME, "ZHDJ UnionPay TEST ONLY Root CA"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(9)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=9))
        .sign(key, hashes.SHA256())
    )
    fields = dict(parse_qsl(body.decode()))
    fields["signPubKeyCert"] = cert.public_bytes(serialization.Encoding.PEM).decode()
    fields["signature"] = base64.b64encode(
        key.sign(signing_string(fields), padding.PKCS1v15(), hashes.SHA256())
    ).decode()
    response = send("unionpay", headers, urlencode(fields).encode())
    assert response.status_code == 500
    assert _state(alpha.schema, payment.order_no)[0] == "pending"


@pytest.mark.parametrize("channel", CHANNELS)
def test_an_amount_mismatch_is_refused_and_reported(db, alpha, channel):
    payment = order_in(alpha.schema, channel)
    response = deliver(trade_of(payment), amount_fen=payment.amount_fen - 1)
    assert not acknowledged(channel, response)
    assert _state(alpha.schema, payment.order_no) == ("pending", [], 1)
    with schema_context(alpha.schema):
        report = ReconciliationMismatch.objects.get(order_no=payment.order_no)
        assert report.kind == "callback_amount"
        assert (report.ours_fen, report.gateway_fen) == (payment.amount_fen, payment.amount_fen - 1)


def test_an_unknown_order_is_answered_so_the_gateway_retries(db):
    trade = trade_of(
        DuesPayment(order_no="DF20260101000000ABCDEF0123", channel="wechat", amount_fen=100)
    )
    response = deliver(trade)
    assert response.status_code == 503 and response.json()["code"] == "FAIL"


def test_each_notice_enters_the_county_that_owns_the_order(db, alpha, beta):
    in_alpha = order_in(alpha.schema, "alipay")
    in_beta = order_in(beta.schema, "alipay")
    assert acknowledged("alipay", deliver(trade_of(in_beta)))
    assert _state(beta.schema, in_beta.order_no)[0] == "paid"
    assert _state(alpha.schema, in_alpha.order_no)[0] == "pending"
    with schema_context(alpha.schema):
        assert not DuesPayment.objects.filter(order_no=in_beta.order_no).exists()


def test_notify_endpoints_do_not_exist_on_a_county_host(db, alpha):
    from django.test import Client

    response = Client(HTTP_HOST=alpha.host).post(
        "/pay/notify/alipay/", data=b"x", content_type="text/plain"
    )
    assert response.status_code == 404
