"""Gateway bill files (对账单) through the gateways' own protocols: WeChat Pay's trade bill,
Alipay's bill download URL query and its zip."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.utils import timezone

from shared.payments.double import alipay_api
from shared.payments.double.wechat_api import download
from shared.payments.models import DoubleTrade
from shared.payments.providers import alipay, unionpay, wechat
from shared.payments.providers.base import NoticeRejected, SignatureInvalid

# The layout of WeChat Pay's trade bill: header, backtick-prefixed fields, then the totals.
SAMPLE = (
    "\ufeff交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
    "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\r\n"
    "`2026-12-02 09:15:02,`wxtestonly0000001,`1900000001,`0,`,`4200001234202612021234567890,"
    "`DF20261202091500ABCDEF,`oUpF8uMuAJO,`MWEB,`SUCCESS,`OTHERS,`CNY,`42.00,`0.00,`0,`0,"
    "`0.00,`0.00,`,`,`党费,`,`0.25000,`0.60%,`42.00,`0.00,`\r\n"
    "`2026-12-02 10:00:00,`wxtestonly0000001,`1900000001,`0,`,`4200001234202612029999999999,"
    "`DF20261202100000FFFFFF,`oUpF8uMuAJO,`MWEB,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`5030,`R1,"
    "`42.00,`0.00,`ORIGINAL,`SUCCESS,`党费,`,`0.00000,`0.60%,`0.00,`42.00,`\r\n"
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n"
    "`2,`42.00,`42.00,`0.00,`0.25000,`42.00,`42.00\r\n"
)


def test_the_trade_bill_layout_is_read_and_only_successful_trades_count():
    rows = wechat.parse_trade_bill(SAMPLE)
    assert [(r.order_no, r.txn_id, r.amount_fen) for r in rows] == [
        ("DF20261202091500ABCDEF", "4200001234202612021234567890", 4200)
    ]
    assert rows[0].paid_at == "2026-12-02T09:15:02+08:00"


def test_an_unknown_layout_or_a_bad_amount_is_refused():
    with pytest.raises(NoticeRejected, match="header"):
        wechat.parse_trade_bill("order_no,txn_id,amount_fen,paid_at\r\n")
    with pytest.raises(NoticeRejected, match="amount"):
        wechat.parse_trade_bill(SAMPLE.replace("`42.00,`0.00,`0,`0", "`42.001,`0.00,`0,`0", 1))


def test_the_bill_comes_through_the_signed_api_and_matches_the_trades(db):
    now = timezone.now()
    DoubleTrade.objects.create(
        channel="wechat", order_no="DF2026TESTBILL01", txn_id="WETESTBILL01",
        app_id="wxtestonly0000001", amount_fen=4200, subject="党费", notify_url="",
        return_url="", status=DoubleTrade.Status.PAID, paid_at=now,
    )  # fmt: skip
    rows = wechat.bill_rows(timezone.localdate().isoformat())
    assert [(r.order_no, r.txn_id, r.amount_fen) for r in rows] == [
        ("DF2026TESTBILL01", "WETESTBILL01", 4200)
    ]


def test_the_double_refuses_an_unsigned_download(db):
    day = timezone.localdate().isoformat()
    status, content = download(f"/v3/billdownload/file?token={day}", {})
    assert (status, content) == (401, b"")
    forged = {"Authorization": wechat.authorization("GET", "/v3/billdownload/file?token=x", "")}
    assert download(f"/v3/billdownload/file?token={day}", forged)[0] == 401


# --- Alipay -------------------------------------------------------------------------

ALIPAY_DETAIL = (
    "#支付宝业务明细查询\r\n#账号：[20880000000000010156]\r\n"
    "#-----------------------------------------业务明细列表----------------------------------------\r\n"
    + alipay_api.COLUMNS
    + "\r\n"
    "2026120222001400001111111111\t,DF20261202091500ABCDEF\t,交易\t,党费\t,"
    "2026-12-02 09:14:50\t,2026-12-02 09:15:02\t,\t,\t,\t,\t,tes***@example.com\t,42.00\t,"
    "42.00\t,0.00\t,0.00\t,0.00\t,0.00\t,0.00\t,\t,0.00\t,0.00\t,\t,0.00\t,0.00\t,\t\r\n"
    "2026120222001400001111111111\t,DF20261202091500ABCDEF\t,退款\t,党费\t,"
    "2026-12-02 10:00:00\t,2026-12-02 10:00:01\t,\t,\t,\t,\t,tes***@example.com\t,-42.00\t,"
    "-42.00\t,0.00\t,0.00\t,0.00\t,0.00\t,0.00\t,\t,0.00\t,0.00\t,R1\t,0.00\t,0.00\t,\t\r\n"
    "#-----------------------------------------业务明细列表结束------------------------------------\r\n"
    "#交易合计：1笔，商家实收共42.00元，商家优惠共0.00元\r\n"
)


def _zip_with_gbk_names(detail: str) -> bytes:
    """As Alipay writes it: GBK file names without the zip's UTF-8 flag (zipfile cannot
    write those, so ASCII placeholders of the same length are swapped for the GBK bytes)."""
    out, names = io.BytesIO(), {}
    files = (("2088_20261202_业务明细.csv", detail), ("2088_20261202_业务明细(汇总).csv", "#"))
    with zipfile.ZipFile(out, "w") as z:
        for n, (name, text) in enumerate(files):
            raw = name.encode("gbk")
            placeholder = f"{n}".ljust(len(raw), "x")
            names[placeholder.encode()] = raw
            z.writestr(placeholder, text.encode("gbk"))
    content = out.getvalue()
    for placeholder, raw in names.items():
        content = content.replace(placeholder, raw)
    return content


def test_alipays_detail_file_is_read_and_refunds_are_not_payments():
    rows = alipay.parse_trade_zip(_zip_with_gbk_names(ALIPAY_DETAIL))
    assert [(r.order_no, r.txn_id, r.amount_fen, r.paid_at) for r in rows] == [
        ("DF20261202091500ABCDEF", "2026120222001400001111111111", 4200,
         "2026-12-02T09:15:02+08:00")
    ]  # fmt: skip
    with pytest.raises(NoticeRejected, match="not a zip"):
        alipay.parse_trade_zip(b"PK? no")
    with pytest.raises(NoticeRejected, match="header"):
        alipay.parse_trade_detail("#only comments\r\n")


def test_the_alipay_bill_comes_through_the_signed_query_and_matches_the_trades(db):
    assert alipay.bill_rows(timezone.localdate().isoformat()) == []  # isp.bill_not_exist
    DoubleTrade.objects.create(
        channel="alipay", order_no="DF2026TESTBILL02", txn_id="ALTESTBILL02",
        app_id="2026000000000001", amount_fen=10750, subject="党费", notify_url="",
        return_url="", status=DoubleTrade.Status.PAID, paid_at=timezone.now(),
    )  # fmt: skip
    rows = alipay.bill_rows(timezone.localdate().isoformat())
    assert [(r.order_no, r.txn_id, r.amount_fen) for r in rows] == [
        ("DF2026TESTBILL02", "ALTESTBILL02", 10750)
    ]


def test_an_unsigned_or_forged_alipay_answer_is_refused(db):
    query = alipay.client().client_api(
        alipay.BILL_API, {"bill_type": "trade", "bill_date": timezone.localdate().isoformat()}
    )
    forged = query.replace("bill_date", "bill_datf")  # the signature no longer matches
    answer = alipay_api.gateway_api(forged)
    assert "isv.invalid-signature" in answer
    with pytest.raises(SignatureInvalid):  # an unsigned error answer
        alipay.verified_answer(answer, alipay.BILL_RESPONSE)
    signed = alipay_api.gateway_api(query)
    assert alipay.verified_answer(signed, alipay.BILL_RESPONSE)["code"] == "40004"
    with pytest.raises(SignatureInvalid):  # a signed answer altered on the way
        alipay.verified_answer(signed.replace("40004", "10000"), alipay.BILL_RESPONSE)


# --- UnionPay -----------------------------------------------------------------------


def test_a_zm_record_is_read_by_its_fixed_widths_and_only_consumption_counts():
    from shared.payments.double.unionpay_api import zm_record

    paid = zm_record(
        {"tradeCode": "S22", "txnTime": "1202091502", "txnAmt": "000000004200",
         "queryId": "782612020915021234567", "orderId": "DF20261202091500ABCDEF",
         "txnType": "01", "merId": "777290058100001"}
    )  # fmt: skip
    refund = paid.replace(" 01 ", " 04 ", 1)
    rows = unionpay.parse_zm(f"{paid}\r\n{refund}\r\n", year=2026)
    assert [(r.order_no, r.txn_id, r.amount_fen, r.paid_at) for r in rows] == [
        ("DF20261202091500ABCDEF", "782612020915021234567", 4200, "2026-12-02T09:15:02+08:00")
    ]
    with pytest.raises(NoticeRejected, match="ZM record"):
        unionpay.parse_zm(paid.replace("000000004200", "00000000A200"), year=2026)


def test_the_unionpay_file_comes_through_file_transfer_and_matches_the_trades(db):
    today = timezone.localdate().isoformat()
    assert unionpay.bill_rows(today) == []  # respCode 98: no file for a day without trades
    DoubleTrade.objects.create(
        channel="unionpay", order_no="DF2026TESTBILL03", txn_id="UNTESTBILL03",
        app_id="777290058100001", amount_fen=2050, subject="党费", notify_url="",
        return_url="", status=DoubleTrade.Status.PAID, paid_at=timezone.now(),
    )  # fmt: skip
    rows = unionpay.bill_rows(today)
    assert [(r.order_no, r.txn_id, r.amount_fen) for r in rows] == [
        ("DF2026TESTBILL03", "UNTESTBILL03", 2050)
    ]


def test_a_unionpay_answer_altered_on_the_way_is_refused(db):
    from urllib.parse import parse_qsl, urlencode

    from shared.payments.double.unionpay_api import file_transfer

    request = {"txnType": "76", "merId": "777290058100001", "settleDate": "0101"}
    request["signature"] = unionpay.sign_fields(request)
    answer = dict(parse_qsl(file_transfer(urlencode(request)), keep_blank_values=True))
    unionpay.verify_fields(answer)  # as sent
    with pytest.raises(SignatureInvalid):
        unionpay.verify_fields({**answer, "respCode": "00"})
    forged = dict(request, settleDate="0102")  # signature of another request
    assert dict(parse_qsl(file_transfer(urlencode(forged))))["respCode"] == "11"
