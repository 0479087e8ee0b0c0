"""Starting an online payment: a gateway that cannot start it (keys missing, unreachable,
refusing the order) is a Chinese message on the member's page, never a 500, and leaves
no order behind; trying again reuses the pending order where the gateway allows it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.payments.models import DoubleTrade, PaymentOrder
from tenants.dues.models import DuesPayment
from tests.conftest import logged_in
from tests.support.dues import bill_member

KEYS = Path(settings.BASE_DIR) / "shared" / "payments" / "double" / "test_keys"


def _bill(alpha) -> None:  # type: ignore[no-untyped-def]
    bill_member(alpha.schema, base_fen=420000)


def _orders(alpha) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        return list(
            DuesPayment.objects.filter(member__user__username="member")
            .order_by("created_at", "pk")
            .values_list("order_no", "channel", "status")
        )


def _pay(client, channel: str):  # type: ignore[no-untyped-def]
    return client.post("/dues/mine/pay/", {"channel": channel}, follow=True)


def _pay_settings(**changes: object) -> dict:
    return {**settings.ZHDJ_PAY, **changes}


BROKEN = {
    # The key file is not there (a deployment without ZHDJ_PAY_MERCHANT_KEY set right).
    "missing key": (
        {"ZHDJ_PAY": _pay_settings(MERCHANT_PRIVATE_KEY="/nonexistent/merchant.pem")},
        ("alipay", "wechat", "unionpay"),
    ),
    # The real WeChat Pay API cannot be reached (nothing listens on port 9).
    "unreachable": (
        {
            "ZHDJ_PAYMENT_DOUBLE": False,
            "ZHDJ_PAY": _pay_settings(WECHAT_API="http://127.0.0.1:9"),
        },
        ("wechat",),
    ),
    # The gateway refuses the order request: signed with a key that is not the merchant's.
    "refused": (
        {
            "ZHDJ_PAY": _pay_settings(
                MERCHANT_PRIVATE_KEY=str(KEYS / "TEST_ONLY_gateway_private.pem")
            )
        },
        ("wechat",),
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_payment_that_cannot_start_is_a_message_and_leaves_no_order(db, alpha, case):
    overrides, channels = BROKEN[case]
    _bill(alpha)
    client = logged_in(alpha.host, "member")
    with override_settings(**overrides):
        for channel in channels:
            page = _pay(client, channel)
            assert page.status_code == 200
            assert page.redirect_chain[-1][0].endswith("/dues/mine/")
            text = page.content.decode()
            assert "暂时无法发起" in text and "本次没有扣款" in text
            assert 'data-testid="pay-button"' in text  # the member can try again
    assert _orders(alpha) == []
    assert not PaymentOrder.objects.exists() and not DoubleTrade.objects.exists()
    # Once the gateway works again, the same page pays.
    page = client.post("/dues/mine/pay/", {"channel": channels[0]})
    assert page.status_code == 200 and 'id="checkout-form"' in page.content.decode()
    assert [(c, s) for _, c, s in _orders(alpha)] == [(channels[0], "pending")]


def test_a_failed_retry_leaves_the_earlier_pending_order_as_it_was(db, alpha):
    _bill(alpha)
    client = logged_in(alpha.host, "member")
    client.post("/dues/mine/pay/", {"channel": "alipay"})
    before = _orders(alpha)
    broken = _pay_settings(MERCHANT_PRIVATE_KEY="/nonexistent/merchant.pem")
    with override_settings(ZHDJ_PAY=broken):
        assert "暂时无法发起" in _pay(client, "unionpay").content.decode()
    assert _orders(alpha) == before and before[0][2] == "pending"
    assert PaymentOrder.objects.count() == 1


@pytest.mark.parametrize("channel", ["alipay", "wechat"])
def test_trying_again_reuses_the_pending_order(db, alpha, channel):
    _bill(alpha)
    client = logged_in(alpha.host, "member")
    first = client.post("/dues/mine/pay/", {"channel": channel})
    again = client.post("/dues/mine/pay/", {"channel": channel})
    assert first.status_code == again.status_code == 200
    orders = _orders(alpha)
    assert len(orders) == 1 and orders[0][2] == "pending"
    assert orders[0][0] in again.content.decode()
    assert PaymentOrder.objects.count() == 1
    assert DoubleTrade.objects.filter(order_no=orders[0][0]).count() == (channel == "wechat")
    # Another amount (a voluntary extra) is another order; the old one is closed.
    client.post("/dues/mine/pay/", {"channel": channel, "voluntary": "5"})
    assert [s for _, _, s in _orders(alpha)] == ["closed", "pending"]


def test_unionpay_and_a_change_of_channel_make_a_new_order(db, alpha):
    _bill(alpha)
    client = logged_in(alpha.host, "member")
    client.post("/dues/mine/pay/", {"channel": "unionpay"})
    client.post("/dues/mine/pay/", {"channel": "unionpay"})  # no documented reuse: new order
    client.post("/dues/mine/pay/", {"channel": "alipay"})
    orders = _orders(alpha)
    assert [(c, s) for _, c, s in orders] == [
        ("unionpay", "closed"),
        ("unionpay", "closed"),
        ("alipay", "pending"),
    ]
    assert len({n for n, _, _ in orders}) == 3


def test_the_result_page_waits_then_shows_the_paid_order(db, alpha):
    _bill(alpha)
    client = logged_in(alpha.host, "member")
    client.post("/dues/mine/pay/", {"channel": "alipay"})
    order_no = _orders(alpha)[0][0]
    result = f"/dues/mine/orders/{order_no}/result/"
    waiting = client.get(result).content.decode()
    assert "支付处理中" in waiting and "dues/mine/orders/" in waiting
    with schema_context(alpha.schema):
        DuesPayment.objects.filter(order_no=order_no).update(
            status=DuesPayment.Status.PAID, paid_at=timezone.now()
        )
    month = timezone.localdate()
    done = client.get(result).content.decode()
    assert "支付成功" in done and "42.00 元" in done
    assert f"{month.year}年{month.month}月" in done and 'href="/dues/mine/"' in done
    # UnionPay comes back with a cross-site POST: it becomes a GET of the same page.
    back = logged_in(alpha.host, "member").post(result, {"respCode": "00"})
    assert back.status_code == 302 and back["Location"] == result
    # Another member's order is not found.
    assert logged_in(alpha.host, "branchsec").get(result).status_code == 404


def test_after_a_payment_that_could_not_start_the_choices_stay_for_the_retry(db, alpha):
    _bill(alpha)
    client = logged_in(alpha.host, "member")
    broken = _pay_settings(MERCHANT_PRIVATE_KEY="/nonexistent/merchant.pem")
    with override_settings(ZHDJ_PAY=broken):
        page = client.post("/dues/mine/pay/", {"channel": "wechat", "voluntary": "5"}, follow=True)
    assert page.redirect_chain[-1][0].endswith("/dues/mine/")
    text = page.content.decode()
    assert "暂时无法发起" in text
    assert re.search(r'<input[^>]*value="wechat"[^>]*checked', text)
    assert re.search(r'<input[^>]*name="voluntary"[^>]*value="5"', text)
    # Only once: the next visit starts afresh.
    again = client.get("/dues/mine/").content.decode()
    assert re.search(r'<input[^>]*value="alipay"[^>]*checked', again)
