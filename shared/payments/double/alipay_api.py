"""The double's Alipay open-API side: ``alipay.data.dataservice.bill.downloadurl.query``
(查询对账单下载地址) and the bill download itself.

The query is verified like any Alipay request (RSA2 over the sorted parameters but
``sign``), and answered as Alipay answers synchronous calls: a JSON object holding the
``…_response`` object and ``sign``, the gateway's RSA2 signature over that object's text.
The download is a zip holding the day's 业务明细 CSV (GBK, ``#`` comment lines, each value
followed by a tab, as Alipay writes it) and its 汇总 file.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from urllib.parse import parse_qs, parse_qsl, urlsplit

from django.utils import timezone

from shared.payments.double.gateway import merchant_signature_ok, paid_trades, sign
from shared.payments.providers.base import parse_day, pay_setting, yuan

METHOD = "alipay.data.dataservice.bill.downloadurl.query"
RESPONSE = "alipay_data_dataservice_bill_downloadurl_query_response"
DOWNLOAD = "http://dwbillcenter.alipay.com/downloadBillFile.resource"
COLUMNS = (
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,"
    "对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,"
    "商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,"
    "退款批次号/请求号,服务费（元）,分润（元）,备注"
)


def _answer(response: dict[str, str]) -> str:
    body = json.dumps(response, ensure_ascii=False, separators=(",", ":"))
    return f'{{"{RESPONSE}":{body},"sign":"{sign(body.encode())}"}}'


def gateway_api(query: str) -> str:
    """A signed synchronous call to the gateway, answered as Alipay does."""
    data = dict(parse_qsl(query, keep_blank_values=True))
    signature = data.pop("sign", "")
    message = "&".join(f"{k}={data[k]}" for k in sorted(data))
    if not merchant_signature_ok(message.encode(), signature):
        return json.dumps(
            {"error_response": {"code": "40002", "msg": "Invalid Arguments",
                                "sub_code": "isv.invalid-signature", "sub_msg": "验签出错"}},
            ensure_ascii=False,
        )  # fmt: skip
    if data.get("method") != METHOD or data.get("app_id") != pay_setting("ALIPAY_APP_ID"):
        return _answer(
            {"code": "40004", "msg": "Business Failed", "sub_code": "isv.invalid-method"}
        )
    biz = json.loads(data.get("biz_content") or "{}")
    day = biz.get("bill_date", "")
    try:
        parse_day(day)
    except ValueError:
        return _answer({"code": "40004", "msg": "Business Failed", "sub_code": "isv.invalid-date"})
    if biz.get("bill_type") != "trade" or not paid_trades("alipay", day):
        return _answer(
            {"code": "40004", "msg": "Business Failed", "sub_code": "isp.bill_not_exist",
             "sub_msg": "账单不存在"}
        )  # fmt: skip
    stamp = day.replace("-", "")
    url = f"{DOWNLOAD}?bizType=trade&userId={pay_setting('ALIPAY_SELLER_ID')}&bizDates={stamp}"
    return _answer({"code": "10000", "msg": "Success", "bill_download_url": url})


def bill_zip(day: str) -> bytes:
    """The day's trades as Alipay's bill zip (业务明细 + 汇总, GBK)."""
    trades = paid_trades("alipay", day)
    account = pay_setting("ALIPAY_SELLER_ID")
    start = parse_day(day)
    lines = [
        "#支付宝业务明细查询",
        f"#账号：[{account}0156]",
        f"#起始日期：[{start:%Y年%m月%d日} 00:00:00]   终止日期：[{start:%Y年%m月%d日} 23:59:59]",
        "#-----------------------------------------业务明细列表----------------------------------------",
        COLUMNS,
    ]
    total = 0
    for t in trades:
        total += t.amount_fen
        when = t.paid_local.strftime("%Y-%m-%d %H:%M:%S")
        values = [
            t.txn_id, t.order_no, "交易", t.subject.replace(",", " "), when, when, "", "", "", "",
            "tes***@example.com", yuan(t.amount_fen), yuan(t.amount_fen), "0.00", "0.00", "0.00",
            "0.00", "0.00", "", "0.00", "0.00", "", "0.00", "0.00", "",
        ]  # fmt: skip
        lines.append(",".join(f"{v}\t" for v in values))
    lines += [
        "#-----------------------------------------业务明细列表结束------------------------------------",
        f"#交易合计：{len(trades)}笔，商家实收共{yuan(total)}元，商家优惠共0.00元",
        "#退款合计：0笔，商家实收退款共0.00元，商家优惠退款共0.00元",
        f"#导出时间：[{timezone.localtime():%Y年%m月%d日 %H:%M:%S}]",
    ]
    detail = ("\r\n".join(lines) + "\r\n").encode("gbk")
    summary = f"#支付宝业务汇总查询\r\n交易笔数,商家实收（元）\r\n{len(trades)},{yuan(total)}\r\n"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        stamp = f"{start:%Y%m%d}"
        z.writestr(f"{account}0156_{stamp}_业务明细.csv", detail)
        z.writestr(f"{account}0156_{stamp}_业务明细(汇总).csv", summary.encode("gbk"))
    return out.getvalue()


def download(url: str) -> tuple[int, bytes]:
    """GET of a bill download URL the query handed out."""
    parts = urlsplit(url)
    dates = parse_qs(parts.query).get("bizDates", [""])[0]
    if f"{parts.scheme}://{parts.netloc}{parts.path}" != DOWNLOAD:
        return 404, b""
    try:
        day = datetime.strptime(dates, "%Y%m%d").date().isoformat()  # noqa: DTZ007 - a calendar day
    except ValueError:
        return 400, b""
    return 200, bill_zip(day)
