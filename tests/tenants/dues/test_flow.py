"""From bill to paid through the gateway double, over HTTP (Django client on both hosts)."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.payments.double.gateway import notice_for
from shared.payments.models import DoubleTrade
from tenants.dues.models import DuesBill, DuesPayment, ReconciliationMismatch
from tenants.dues.reconcile import reconcile_day
from tenants.dues.selectors import dues_paid_until
from tenants.members.models import Member
from tests.conftest import logged_in
from tests.shared.payments.conftest import acknowledged, send
from tests.support.dues import bill_member
from tests.support.world import CITY_HOST


class _Form(HTMLParser):
    def __init__(self, form_id: str = "checkout-form") -> None:
        super().__init__()
        self.form_id = form_id
        self.action, self.method, self.fields = "", "", {}

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.action, self.method = a["action"], a["method"]
        if tag == "input" and a.get("type") == "hidden" and self.action:
            self.fields[a["name"]] = a.get("value", "")


def _bill_member(alpha) -> Member:  # type: ignore[no-untyped-def]
    return bill_member(alpha.schema, base_fen=650000)


@pytest.mark.parametrize("channel", ["alipay", "wechat", "unionpay"])
def test_a_member_pays_a_bill_through_the_gateway_double(db, alpha, channel):
    member = _bill_member(alpha)
    client = logged_in(alpha.host, "member")
    page = client.get("/dues/mine/")
    assert "¥97.50" in page.content.decode()  # 6500 元 × 1.5%
    response = client.post("/dues/mine/pay/", {"channel": channel, "voluntary": "10"})
    form = _Form()
    form.feed(response.content.decode())
    target = urlsplit(form.action)
    assert target.hostname == CITY_HOST
    gateway = Client(HTTP_HOST=CITY_HOST)
    if form.method == "post":
        cashier = gateway.post(target.path, form.fields)
    else:
        cashier = gateway.get(target.path, form.fields)
    if cashier.status_code == 302:  # Alipay, UnionPay: the gateway entry opens the cashier
        cashier_url = cashier["Location"]
    else:  # WeChat H5: h5_url is the cashier itself
        cashier_url = f"{target.path}?{urlencode(form.fields)}"
        assert cashier.status_code == 200
    shown = gateway.get(cashier_url)
    assert "¥107.50" in shown.content.decode()  # 97.50 + 10.00 voluntary
    back = gateway.post(cashier_url)
    if channel == "unionpay":  # UnionPay returns the payer by a form POST to frontUrl
        returned = _Form(form_id="return-form")
        returned.feed(back.content.decode())
        assert back.status_code == 200 and returned.method == "post"
        assert returned.action.startswith(f"http://{alpha.host}/dues/mine/orders/")
        assert returned.fields["respCode"] == "00" and returned.fields["signature"]
    else:
        assert back.status_code == 302
        assert back["Location"].startswith(f"http://{alpha.host}/dues/mine/orders/")
    trade = DoubleTrade.objects.get(channel=channel, status="paid")
    assert acknowledged(channel, send(channel, *notice_for(trade)))
    with schema_context(alpha.schema):
        payment = DuesPayment.objects.get(member=member, status="paid")
        assert (payment.bills_fen, payment.voluntary_fen, payment.amount_fen) == (9750, 1000, 10750)
        assert dues_paid_until(member) == timezone.localdate().replace(day=1)
        run = reconcile_day(channel=channel, day=timezone.localdate())
        assert (run.gateway_rows, run.our_rows, run.mismatches) == (1, 1, 0)
    assert "已交清" in client.get("/dues/mine/").content.decode()


def test_reconciliation_lists_every_mismatch(db, alpha):
    member = _bill_member(alpha)
    with schema_context(alpha.schema):
        from tenants.dues.payments import payment_order_create

        lost = payment_order_create(member=member, channel="alipay")  # gateway paid, we missed it
    now = timezone.now()
    DoubleTrade.objects.create(
        channel="alipay",
        order_no=lost.order_no,
        txn_id="T-LOST",
        app_id="x",
        amount_fen=lost.amount_fen,
        notify_url="http://x/",
        status="paid",
        paid_at=now,
    )
    with schema_context(alpha.schema):
        ghost = DuesPayment.objects.create(  # we think paid; the gateway has no trade
            order_no="DFGHOST",
            member=member,
            org_id=member.org_id,
            channel="alipay",
            status="paid",
            bills_fen=100,
            amount_fen=100,
            paid_at=now,
        )
        run = reconcile_day(channel="alipay", day=timezone.localdate())
        kinds = dict(ReconciliationMismatch.objects.filter(run=run).values_list("order_no", "kind"))
        assert kinds == {lost.order_no: "missing_ours", ghost.order_no: "missing_gateway"}
        again = reconcile_day(channel="alipay", day=timezone.localdate())
        assert again.pk == run.pk and again.mismatches == 2


def test_offline_payment_needs_a_receipt_and_is_recorded_by_the_branch(db, alpha):
    member = _bill_member(alpha)
    client = logged_in(alpha.host, "branchsec")
    month = timezone.localdate().replace(day=1).isoformat()
    page = client.post(
        f"/dues/members/{member.pk}/",
        {"action": "offline", "off-channel": "cash", "off-receipt_no": "", "off-months": [month]},
    )
    assert "收据号" in page.content.decode() and page.status_code == 200
    done = client.post(
        f"/dues/members/{member.pk}/",
        {
            "action": "offline",
            "off-channel": "cash",
            "off-receipt_no": "No.0001",
            "off-months": [month],
        },
    )
    assert done.status_code == 302
    with schema_context(alpha.schema):
        bill = DuesBill.objects.get(member=member, month=date.fromisoformat(month))
        assert bill.status == "paid" and bill.payment.receipt_no == "No.0001"
