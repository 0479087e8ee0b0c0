"""A member pays this month's dues on a phone (390×844) through the gateway double, on
each channel: county page → signed redirect → the double's cashier on the public host →
back to the order's result page (支付处理中 until the double's signed, asynchronous
notification reaches the live daphne, then 支付成功) → the statement shows it paid."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.payments.models import DoubleTrade, PaymentOrder
from tenants.dues.models import (
    DuesAccount,
    DuesBase,
    DuesBill,
    DuesPayment,
    PaymentNotice,
)
from tenants.members.models import Member
from tests.e2e.conftest import login, url
from tests.support.dues import bill_member
from tests.support.threads import in_thread
from tests.support.world import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]


def _bill(schema: str) -> None:
    bill_member(schema, base_fen=300001)


def _clean(schema: str) -> None:
    with schema_context(schema):
        member = Member.objects.get(user__username="member")
        orders = list(DuesPayment.objects.filter(member=member).values_list("order_no", flat=True))
        PaymentNotice.objects.filter(order_no__in=orders).delete()
        DuesBill.objects.filter(member=member).delete()
        DuesPayment.objects.filter(member=member).delete()
        DuesBase.objects.filter(member=member).delete()
        DuesAccount.objects.filter(member=member).delete()
    PaymentOrder.objects.filter(order_no__in=orders).delete()
    DoubleTrade.objects.filter(order_no__in=orders).delete()


def _paid_in_db(schema: str) -> tuple[list[str], list[str]]:
    with schema_context(schema):
        member = Member.objects.get(user__username="member")
        payments = list(DuesPayment.objects.filter(member=member).values_list("status", flat=True))
        bills = list(DuesBill.objects.filter(member=member).values_list("status", flat=True))
    return payments, bills


@pytest.mark.parametrize("channel", ["alipay", "wechat", "unionpay"])
def test_a_member_pays_on_a_phone_through_the_double(
    browser, live_server_port, committed, alpha, channel
):
    in_thread(lambda: _bill(alpha.schema))
    width = 390
    ctx = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN")
    try:
        page = ctx.new_page()
        login(page, live_server_port, alpha.host, "member", PASSWORD)
        page.goto(url(live_server_port, alpha.host, "/dues/mine/"))
        assert page.inner_text("[data-testid=payable-amount]") == "¥30.00"  # 3000.01 × 1%
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.check(f"input[name=channel][value={channel}]")
        page.click("[data-testid=pay-button]")
        page.wait_for_selector("[data-testid=double-cashier]")
        assert page.url.startswith(f"http://city.localhost:{live_server_port}/pay/double/")
        assert page.inner_text("[data-testid=double-amount]") == "¥30.00"
        page.click("[data-testid=double-confirm]")
        # Back on the county's result page (UnionPay by a cross-site form POST); the
        # notification arrives asynchronously and the page asks until it has.
        page.wait_for_selector("[data-testid=pay-result]")
        assert page.url.startswith(url(live_server_port, alpha.host, "/dues/mine/orders/"))
        page.wait_for_selector("[data-testid=pay-result][data-status=paid]", timeout=20000)
        result = page.inner_text("[data-testid=pay-result]")
        month = timezone.localdate()
        assert "支付成功" in result
        assert page.inner_text("[data-testid=paid-amount]") == "30.00 元"
        assert page.inner_text("[data-testid=paid-months]") == f"{month.year}年{month.month}月"
        channel_name = {"alipay": "支付宝", "wechat": "微信支付", "unionpay": "银联云闪付"}
        assert page.inner_text("[data-testid=paid-channel]") == channel_name[channel]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert in_thread(lambda: _paid_in_db(alpha.schema)) == (["paid"], ["paid"])
        page.click("[data-testid=back-to-mine]")
        page.wait_for_selector("[data-testid=all-paid]")
        assert page.locator("[data-testid=bill-rows] tr[data-status=paid]").count() == 1
    finally:
        ctx.close()
        in_thread(lambda: _clean(alpha.schema))
