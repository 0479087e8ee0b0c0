"""The double's WeChat Pay APIv3 server side: ``POST /v3/pay/transactions/h5``, the trade
bill (``GET /v3/bill/tradebill`` and the file download).

Verifies the merchant's ``Authorization`` (WECHATPAY2-SHA256-RSA2048 over
``method\\npath\\ntimestamp\\nnonce\\nbody\\n``) and answers ``{"h5_url": …}``, or the
bill's download URL with its SHA1, or the bill file in WeChat Pay's format.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from shared.payments.double.gateway import (
    expiry,
    merchant_signature_ok,
    paid_trades,
    trade_open,
)
from shared.payments.providers.base import parse_day, pay_setting, yuan

AUTH = re.compile(r'(\w+)="([^"]*)"')


DOWNLOAD = "https://api.mch.weixin.qq.com/v3/billdownload/file"
SIGN_ERROR = {"code": "SIGN_ERROR", "message": "签名错误"}


def _signed(method: str, path: str, headers: dict[str, str], body: str) -> bool:
    scheme, _, params = headers.get("Authorization", "").partition(" ")
    fields = dict(AUTH.findall(params))
    if scheme != "WECHATPAY2-SHA256-RSA2048" or fields.get("mchid") != pay_setting("WECHAT_MCH_ID"):
        return False
    message = f"{method}\n{path}\n{fields.get('timestamp')}\n{fields.get('nonce_str')}\n{body}\n"
    return merchant_signature_ok(message.encode(), fields.get("signature", ""))


def _day(path: str, name: str) -> str | None:
    day = parse_qs(urlsplit(path).query).get(name, [""])[0]
    try:
        parse_day(day)
    except ValueError:
        return None
    return day


def trade_bill(day: str) -> bytes:
    """The day's successful trades in WeChat Pay's trade-bill layout."""
    head = (
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
        "交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,"
        "订单金额"
    )
    lines, total = [head], 0
    for t in paid_trades("wechat", day):
        total += t.amount_fen
        values = [
            t.paid_local.strftime("%Y-%m-%d %H:%M:%S"), t.app_id, pay_setting("WECHAT_MCH_ID"),
            "0", "", t.txn_id, t.order_no, "oTESTONLYpayer", "MWEB", "SUCCESS", "OTHERS", "CNY",
            yuan(t.amount_fen), "0.00", t.subject.replace(",", " "), "", "0.00000", "0.60%",
            yuan(t.amount_fen),
        ]  # fmt: skip
        lines.append(",".join(f"`{v}" for v in values))
    lines.append(
        "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
    )
    count = len(lines) - 2
    lines.append(f"`{count},`{yuan(total)},`0.00,`0.00,`0.00000,`{yuan(total)},`0.00")
    return ("\r\n".join(lines) + "\r\n").encode()


def download(path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """``GET /v3/billdownload/file?token=…``: the bill file (the token names the day)."""
    day = _day(path, "token")
    if not _signed("GET", path, headers, "") or not path.startswith("/v3/billdownload/file?"):
        return 401, b""
    if day is None:
        return 400, b""
    return 200, trade_bill(day)


def handle(
    method: str, path: str, headers: dict[str, str], body: str
) -> tuple[int, dict[str, Any]]:
    if not _signed(method, path, headers, body):
        return 401, SIGN_ERROR
    if method == "GET" and path.startswith("/v3/bill/tradebill?"):
        day = _day(path, "bill_date")
        if day is None:
            return 400, {"code": "PARAM_ERROR", "message": "bill_date 格式错误"}
        content = trade_bill(day)
        return 200, {
            "hash_type": "SHA1",
            "hash_value": hashlib.sha1(content).hexdigest(),  # noqa: S324 - WeChat's choice
            "download_url": f"{DOWNLOAD}?token={day}",
        }
    if (method, path) != ("POST", "/v3/pay/transactions/h5"):
        return 404, {"code": "NOT_FOUND", "message": "不支持的接口"}
    order = json.loads(body)
    if order.get("appid") != pay_setting("WECHAT_APP_ID"):
        return 400, {"code": "APPID_MCHID_NOT_MATCH", "message": "appid和mch_id不匹配"}
    trade = trade_open(
        channel="wechat",
        order_no=order["out_trade_no"],
        app_id=order["appid"],
        amount_fen=int(order["amount"]["total"]),
        subject=order.get("description", ""),
        notify_url=order["notify_url"],
        return_url="",
        expires_at=expiry(order.get("time_expire"), "%Y-%m-%dT%H:%M:%S%z"),
    )
    return 200, {"h5_url": f"/pay/double/wechat/cashier/{trade.txn_id}/?prepay_id={trade.pk}"}
