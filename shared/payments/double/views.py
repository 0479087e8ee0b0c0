"""The double's pages on the public host: gateway entry points, the cashier, the bill file."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from shared.payments.double.gateway import (
    expiry,
    merchant_signature_ok,
    trade_expired,
    trade_open,
    trade_pay,
    unionpay_notice,
)
from shared.payments.models import DoubleTrade
from shared.payments.providers.base import fen_of, pay_setting, yuan
from shared.payments.providers.unionpay import signing_string
from zhdj.web.access import open_page
from zhdj.web.csp import allow_form_target


def _double_only() -> None:
    if not settings.ZHDJ_PAYMENT_DOUBLE:
        raise Http404("测试支付网关未启用")


@open_page
@require_http_methods(["GET"])
def alipay_gateway(request: HttpRequest) -> HttpResponse:
    """alipay.trade.wap.pay: verify the merchant's RSA2 signature, open the trade."""
    _double_only()
    data = request.GET.dict()
    signature = data.pop("sign", "")  # requests sign every parameter but sign itself
    message = "&".join(f"{k}={data[k]}" for k in sorted(data))
    if not merchant_signature_ok(message.encode(), signature):
        return HttpResponseBadRequest("验签失败（测试网关）")
    if data.get("app_id") != pay_setting("ALIPAY_APP_ID"):
        return HttpResponseBadRequest("app_id 不存在（测试网关）")
    biz = json.loads(data["biz_content"])
    trade = trade_open(
        channel="alipay",
        order_no=biz["out_trade_no"],
        app_id=data["app_id"],
        amount_fen=fen_of(biz["total_amount"]),
        subject=biz.get("subject", ""),
        notify_url=data.get("notify_url", ""),
        return_url=data.get("return_url", ""),
        expires_at=expiry(biz.get("time_expire"), "%Y-%m-%d %H:%M:%S"),
    )
    return redirect("payments:double-cashier", channel="alipay", txn_id=trade.txn_id)


@open_page
@csrf_exempt  # a cross-site form POST from the merchant's page, signed instead
@require_http_methods(["GET", "POST"])
def unionpay_front(request: HttpRequest) -> HttpResponse:
    """frontTransReq.do: verify the merchant's signature, open the trade."""
    _double_only()
    data = (request.POST if request.method == "POST" else request.GET).dict()
    if not merchant_signature_ok(signing_string(data), data.get("signature", "")):
        return HttpResponseBadRequest("验签失败（测试网关）")
    if data.get("merId") != pay_setting("UNIONPAY_MER_ID"):
        return HttpResponseBadRequest("商户号不存在（测试网关）")
    trade = trade_open(
        channel="unionpay",
        order_no=data["orderId"],
        app_id=data["merId"],
        amount_fen=int(data["txnAmt"]),
        subject=data.get("orderDesc", ""),
        notify_url=data.get("backUrl", ""),
        return_url=data.get("frontUrl", ""),
        expires_at=expiry(data.get("payTimeout"), "%Y%m%d%H%M%S"),
    )
    return redirect("payments:double-cashier", channel="unionpay", txn_id=trade.txn_id)


CHANNEL_NAMES = {"alipay": "支付宝", "wechat": "微信支付", "unionpay": "银联云闪付"}


@open_page
@csrf_exempt  # the payer's own confirmation on the gateway's page (no session here)
@require_http_methods(["GET", "POST"])
def cashier(request: HttpRequest, channel: str, txn_id: str) -> HttpResponse:
    _double_only()
    trade = get_object_or_404(DoubleTrade, channel=channel, txn_id=txn_id)
    back = request.GET.get("redirect_url", "")
    if channel == "wechat" and back.startswith(("http://", "https://")) and not trade.return_url:
        trade.return_url = back  # H5: the merchant's page to come back to
        trade.save(update_fields=["return_url"])
    if trade_expired(trade):
        return HttpResponseBadRequest("订单已超时关闭，请回到党费页面重新发起支付（测试网关）")
    if request.method == "POST":
        trade = trade_pay(trade)
        if trade.return_url and channel == "unionpay":
            # UnionPay sends the payer back with a form POST of the signed result to frontUrl.
            _, body = unionpay_notice(trade)
            fields = dict(parse_qsl(body.decode(), keep_blank_values=True))
            page = render(
                request,
                "payments/double_return.html",
                {"url": trade.return_url, "fields": fields},
            )
            return allow_form_target(page, trade.return_url)
        if trade.return_url:
            sep = "&" if "?" in trade.return_url else "?"
            return redirect(f"{trade.return_url}{sep}{urlencode({'paid': trade.order_no})}")
        return HttpResponse("支付成功（测试网关）")
    page = render(
        request,
        "payments/double_cashier.html",
        {
            "trade": trade,
            "amount": yuan(trade.amount_fen),
            "channel_name": CHANNEL_NAMES.get(channel, channel),
        },
    )
    # Paying posts here, and the answer redirects the payer back to the merchant's page:
    # form-action covers that redirect too.
    return allow_form_target(page, trade.return_url) if trade.return_url else page
