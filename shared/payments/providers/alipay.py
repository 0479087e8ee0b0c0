"""Alipay (支付宝) with RSA2 through python-alipay-sdk, plus what the SDK leaves out.

security-notes.md "Payment callbacks": ``AliPay.verify`` does not strip ``sign`` from the
data, so we do; after the signature we check ``app_id`` and ``seller_id`` ourselves (the
amount and the order are checked against the county's order by the dues handler), and a
trade counts as paid only in ``TRADE_SUCCESS`` / ``TRADE_FINISHED``. The answer is the
plain text ``success`` (Alipay retries until it gets it).
"""

from __future__ import annotations

import csv
import io
import zipfile
from functools import cache
from urllib.parse import parse_qsl

from alipay import AliPay
from django.conf import settings
from django.http import HttpResponse

from shared.payments.providers.base import (
    BEIJING,
    BillRow,
    Checkout,
    Notice,
    NoticeRejected,
    Order,
    SignatureInvalid,
    bill_row,
    fen_of,
    parse_day,
    pay_setting,
    pem_text,
    yuan,
)

CHANNEL = "alipay"
# alipay.trade.wap.pay is idempotent on out_trade_no: the same order sent again (same
# amount) continues the same trade, and a paid one is not paid twice.
REUSES_ORDER_NO = True
PAID_STATES = frozenset({"TRADE_SUCCESS", "TRADE_FINISHED"})
BILL_API = "alipay.data.dataservice.bill.downloadurl.query"
BILL_RESPONSE = "alipay_data_dataservice_bill_downloadurl_query_response"


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
    extra = {}
    if order.expires_at is not None:  # 绝对超时时间, Beijing time
        extra["time_expire"] = f"{order.expires_at.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}"
    signed = client().api_alipay_trade_wap_pay(
        subject=order.subject,
        out_trade_no=order.order_no,
        total_amount=yuan(order.amount_fen),
        return_url=order.return_url,
        notify_url=order.notify_url,
        **extra,
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
    """The day's trade bill: ``alipay.data.dataservice.bill.downloadurl.query`` (a signed
    call whose answer is verified with Alipay's key) gives a short-lived download URL; the
    zip behind it holds the 业务明细 CSV, whose 交易 rows are the paid trades."""
    parse_day(day)  # a calendar day, or ValueError
    query = client().client_api(BILL_API, {"bill_type": "trade", "bill_date": day})
    if settings.ZHDJ_PAYMENT_DOUBLE:
        from shared.payments.double.alipay_api import gateway_api

        raw = gateway_api(query)
    else:  # pragma: no cover - needs the real gateway
        import requests

        raw = requests.get(f"{pay_setting('ALIPAY_GATEWAY')}?{query}", timeout=10).text
    result = verified_answer(raw, BILL_RESPONSE)
    if result.get("code") != "10000":
        if result.get("sub_code") == "isp.bill_not_exist":
            return []
        raise NoticeRejected(f"Alipay answered {result.get('code')}: {result.get('sub_msg')}")
    return parse_trade_zip(_download(result["bill_download_url"]))


def verified_answer(raw: str, response: str) -> dict:
    """A synchronous answer's ``…_response`` object, its RSA2 signature checked with
    Alipay's key (by the SDK); unsigned error answers and bad signatures are refused."""
    try:
        return client()._verify_and_return_sync_response(raw, response)
    except Exception as exc:
        raise SignatureInvalid(f"Alipay answer refused: {raw[:200]}") from exc


def _download(url: str) -> bytes:
    if settings.ZHDJ_PAYMENT_DOUBLE:
        from shared.payments.double.alipay_api import download

        status, content = download(url)
    else:  # pragma: no cover - needs the real gateway
        import requests

        response = requests.get(url, timeout=30)
        status, content = response.status_code, response.content
    if status >= 300:
        raise NoticeRejected(f"Alipay bill download answered {status}")
    return content


DETAIL_COLUMNS = ("支付宝交易号", "商户订单号", "业务类型", "完成时间", "订单金额（元）")


def _zip_name(info: zipfile.ZipInfo) -> str:
    """Alipay writes GBK file names without the zip's UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def parse_trade_zip(content: bytes) -> list[BillRow]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            detail = [i for i in z.infolist() if _zip_name(i).endswith("_业务明细.csv")]
            if len(detail) != 1:
                raise NoticeRejected("no 业务明细 file in the bill zip")
            text = z.read(detail[0]).decode("gbk")
    except zipfile.BadZipFile as exc:
        raise NoticeRejected("the bill file is not a zip") from exc
    return parse_trade_detail(text)


def parse_trade_detail(text: str) -> list[BillRow]:
    """Alipay's 业务明细: ``#`` comment lines around a header and one line per entry, each
    value followed by a tab. Only 交易 entries are paid trades (退款 are refunds)."""
    lines = [line for line in text.splitlines() if line.strip()]
    start = next((n for n, line in enumerate(lines) if line.startswith("支付宝交易号")), None)
    if start is None:
        raise NoticeRejected("bill file header not recognised")
    header = [h.strip() for h in next(csv.reader([lines[start]]))]
    if any(c not in header for c in DETAIL_COLUMNS):
        raise NoticeRejected("bill file header not recognised")
    at = {c: header.index(c) for c in DETAIL_COLUMNS}
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        value = [f.strip() for f in next(csv.reader([line]))]
        if value[at["业务类型"]] != "交易":
            continue
        rows.append(
            bill_row(
                value[at["商户订单号"]],
                value[at["支付宝交易号"]],
                value[at["订单金额（元）"]],
                value[at["完成时间"]],
            )
        )
    return rows
