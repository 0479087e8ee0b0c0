"""An order tells the gateway when it expires, in each gateway's own field, and the
double takes no payment after it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shared.payments.double.gateway import trade_open
from shared.payments.models import DoubleTrade
from shared.payments.providers import adapter
from shared.payments.providers.base import Order
from tests.support.world import CITY_HOST


def _order(channel: str, expires_at):  # type: ignore[no-untyped-def]
    return Order(
        order_no=f"DF2026EXPIRY{channel[:2].upper()}",
        amount_fen=4200,
        subject="党费 测试支部",
        return_url="http://alpha.localhost/dues/mine/",
        notify_url=f"http://{CITY_HOST}/pay/notify/{channel}/",
        gateway_base=f"http://{CITY_HOST}",
        expires_at=expires_at,
    )


def test_each_order_request_carries_its_expiry_in_beijing_time(db):
    at = datetime(2026, 12, 3, 2, 30, 0, tzinfo=UTC)
    alipay = adapter("alipay").checkout(_order("alipay", at))
    assert json.loads(alipay.fields["biz_content"])["time_expire"] == "2026-12-03 10:30:00"
    unionpay = adapter("unionpay").checkout(_order("unionpay", at))
    assert unionpay.fields["payTimeout"] == "20261203103000"
    adapter("wechat").checkout(_order("wechat", at))  # APIv3 body, read by the double
    trade = DoubleTrade.objects.get(order_no="DF2026EXPIRYWE")
    assert trade.expires_at == at


@pytest.mark.parametrize("minutes, paid", [(-1, False), (5, True)])
def test_the_double_takes_no_payment_after_the_expiry(db, minutes, paid):
    trade = trade_open(
        channel="alipay", order_no=f"DF2026EXPIRY{minutes}", app_id="2026000000000001",
        amount_fen=4200, subject="党费", notify_url="", return_url="",
        expires_at=timezone.now() + timedelta(minutes=minutes),
    )  # fmt: skip
    response = Client(HTTP_HOST=CITY_HOST).post(f"/pay/double/alipay/cashier/{trade.txn_id}/")
    trade.refresh_from_db()
    assert (trade.status == DoubleTrade.Status.PAID) is paid
    if not paid:
        assert response.status_code == 400 and "超时" in response.content.decode()
