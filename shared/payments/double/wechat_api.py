"""The double's WeChat Pay APIv3 server side: ``POST /v3/pay/transactions/h5``.

Verifies the merchant's ``Authorization`` (WECHATPAY2-SHA256-RSA2048 over
``method\\npath\\ntimestamp\\nnonce\\nbody\\n``) and answers ``{"h5_url": …}``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from shared.payments.double.gateway import merchant_signature_ok, trade_open
from shared.payments.providers.base import pay_setting

AUTH = re.compile(r'(\w+)="([^"]*)"')


def handle(
    method: str, path: str, headers: dict[str, str], body: str
) -> tuple[int, dict[str, Any]]:
    scheme, _, params = headers.get("Authorization", "").partition(" ")
    fields = dict(AUTH.findall(params))
    if scheme != "WECHATPAY2-SHA256-RSA2048" or fields.get("mchid") != pay_setting("WECHAT_MCH_ID"):
        return 401, {"code": "SIGN_ERROR", "message": "签名错误"}
    message = f"{method}\n{path}\n{fields.get('timestamp')}\n{fields.get('nonce_str')}\n{body}\n"
    if not merchant_signature_ok(message.encode(), fields.get("signature", "")):
        return 401, {"code": "SIGN_ERROR", "message": "签名错误"}
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
    )
    return 200, {"h5_url": f"/pay/double/wechat/cashier/{trade.txn_id}/?prepay_id={trade.pk}"}
