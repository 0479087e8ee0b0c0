"""Real commits and connections: a notice that beats the order's commit, and the same
notice delivered twice at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from shared.payments.models import PaymentOrder
from tenants.dues.models import (
    DuesAccount,
    DuesBase,
    DuesBill,
    DuesPayment,
    PaymentNotice,
    ReconciliationMismatch,
)
from tenants.members.models import Member
from tests.shared.payments.conftest import acknowledged, deliver, order_in, trade_of
from tests.support.threads import in_thread

pytestmark = pytest.mark.live


@pytest.fixture
def clean_alpha(django_db_setup, committed, alpha) -> Iterator[None]:  # type: ignore[no-untyped-def]
    yield
    with schema_context(alpha.schema):
        member = Member.objects.get(user__username="member")
        orders = list(DuesPayment.objects.filter(member=member).values_list("order_no", flat=True))
        PaymentNotice.objects.filter(order_no__in=orders).delete()
        ReconciliationMismatch.objects.filter(order_no__in=orders).delete()
        DuesBill.objects.filter(member=member).delete()
        DuesPayment.objects.filter(member=member).delete()
        DuesBase.objects.filter(member=member).delete()
        DuesAccount.objects.filter(member=member).delete()
    PaymentOrder.objects.filter(order_no__in=orders).delete()
    connection.set_schema_to_public()


def test_a_notice_before_the_order_is_committed_is_retried(clean_alpha, alpha):
    created, release = threading.Event(), threading.Event()
    box: dict = {}

    def open_order() -> None:
        with schema_context(alpha.schema), transaction.atomic():
            box["payment"] = order_in(alpha.schema, "wechat")
            created.set()
            release.wait(30)

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(lambda: in_thread(open_order))
        assert created.wait(30)
        trade = trade_of(box["payment"])
        early = in_thread(lambda: deliver(trade))
        assert early.status_code == 503 and early.json()["code"] == "FAIL"  # retry later
        release.set()
        future.result(30)
    late = in_thread(lambda: deliver(trade))
    assert late.status_code == 204
    with schema_context(alpha.schema):
        assert DuesPayment.objects.get(order_no=trade.order_no).status == "paid"
        assert PaymentNotice.objects.filter(order_no=trade.order_no).count() == 1


def test_the_same_notice_delivered_twice_at_once_is_applied_once(clean_alpha, alpha):
    payment = in_thread(lambda: order_in(alpha.schema, "alipay"))
    trade = trade_of(payment)
    start = threading.Barrier(2)

    def hit():  # type: ignore[no-untyped-def]
        def run():  # type: ignore[no-untyped-def]
            start.wait(10)
            return deliver(trade)

        return in_thread(run)

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(lambda _: hit(), range(2)))
    assert all(acknowledged("alipay", r) for r in responses)
    with schema_context(alpha.schema):
        assert PaymentNotice.objects.filter(order_no=payment.order_no).count() == 1
        assert DuesBill.objects.filter(payment__order_no=payment.order_no).count() == 1
        assert DuesPayment.objects.get(pk=payment.pk).status == "paid"
