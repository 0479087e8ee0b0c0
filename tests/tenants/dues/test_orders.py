"""Online orders past ``dues.order_expiry_minutes`` are closed (订单超时关闭)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shared.accounts.models import User
from tenants.access.scope import Scope
from tenants.dues.billing import bills_generate
from tenants.dues.models import DuesPayment
from tenants.dues.payments import orders_expire, payable_bills, payment_order_create
from tenants.dues.tasks import expire_orders
from tenants.rules.models import RuleOverride
from tests.tenants.dues.conftest import with_base


def _order(admin_scope, member):  # type: ignore[no-untyped-def]
    month = timezone.localdate().replace(day=1)
    with_base(admin_scope, member, from_month=month)
    bills_generate(scope=Scope.system(), month=month)
    return payment_order_create(member=member, channel="alipay")


def test_a_pending_order_is_closed_after_the_configured_minutes(admin_scope, member):
    order = _order(admin_scope, member)
    assert orders_expire(now=order.created_at + timedelta(minutes=29)) == 0
    assert orders_expire(now=order.created_at + timedelta(minutes=31)) == 1
    order.refresh_from_db()
    assert order.status == DuesPayment.Status.CLOSED
    # The bill is payable again by a new order; the closed one is not touched twice.
    assert payable_bills(member)
    again = payment_order_create(member=member, channel="wechat")
    assert orders_expire(now=again.created_at + timedelta(minutes=29)) == 0


def test_a_countys_override_sets_the_expiry(admin_scope, member):
    RuleOverride.objects.create(
        key="dues.order_expiry_minutes",
        value=10,
        reason="本县规定",
        updated_by=User.objects.get(username="admin"),
    )
    order = _order(admin_scope, member)
    assert orders_expire(now=order.created_at + timedelta(minutes=11)) == 1


def test_the_task_closes_nothing_fresh_and_paid_orders_stay_paid(admin_scope, member):
    order = _order(admin_scope, member)
    assert expire_orders.apply().get() == 0  # just created
    DuesPayment.objects.filter(pk=order.pk).update(
        status=DuesPayment.Status.PAID, created_at=timezone.now() - timedelta(hours=2)
    )
    assert orders_expire() == 0
