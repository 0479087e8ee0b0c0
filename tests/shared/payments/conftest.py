"""Helpers: a county order with bills, the gateway double's signed notices, the public host."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.payments.double.gateway import notice_for
from shared.payments.models import DoubleTrade
from tenants.access.scope import Scope, scope_for
from tenants.dues.billing import bills_generate
from tenants.dues.models import DuesPayment
from tenants.dues.payments import payment_order_create
from tenants.dues.services import dues_base_set
from tenants.members.models import Member
from tests.support.world import CITY_HOST

APP_IDS = {
    "alipay": settings.ZHDJ_PAY["ALIPAY_APP_ID"],
    "wechat": settings.ZHDJ_PAY["WECHAT_APP_ID"],
    "unionpay": settings.ZHDJ_PAY["UNIONPAY_MER_ID"],
}


def order_in(schema: str, channel: str, username: str = "member") -> DuesPayment:
    """A pending online order of ``username`` in ``schema`` for this month's bill."""
    with schema_context(schema):
        member = Member.objects.get(user__username=username)
        admin = scope_for(User.objects.get(username="admin"))
        month = timezone.localdate().replace(day=1)
        dues_base_set(
            scope=admin,
            member=member,
            category_code="in_service",
            base_fen=420000,
            from_month=month,
            actor=None,
        )
        bills_generate(scope=Scope.system(), month=month)
        return payment_order_create(member=member, channel=channel)


def trade_of(payment: DuesPayment, txn: str = "") -> DoubleTrade:
    """What the gateway knows of the order (unsaved: the notice builders only read it)."""
    now = timezone.now()
    return DoubleTrade(
        channel=payment.channel,
        order_no=payment.order_no,
        txn_id=txn or f"T{payment.order_no}",
        app_id=APP_IDS[payment.channel],
        amount_fen=payment.amount_fen,
        subject="党费",
        status=DoubleTrade.Status.PAID,
        paid_at=now,
        created_at=now,
    )


def send(channel: str, headers: dict, body: bytes):  # type: ignore[no-untyped-def]
    extra = {
        f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"
    }
    return Client(HTTP_HOST=CITY_HOST).post(
        f"/pay/notify/{channel}/", data=body, content_type=headers["Content-Type"], **extra
    )


def deliver(trade: DoubleTrade, **kwargs: int):  # type: ignore[no-untyped-def]
    headers, body = notice_for(trade, **kwargs)
    return send(trade.channel, headers, body)


def acknowledged(channel: str, response) -> bool:  # type: ignore[no-untyped-def]
    if channel == "alipay":
        return response.content == b"success"
    return 200 <= response.status_code < 300
