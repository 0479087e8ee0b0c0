"""Paying dues (党费交纳): online orders, verified gateway notices, offline receipts.

Online: ``payment_order_create`` makes a PENDING ``DuesPayment`` for the member's
payable bills (unpaid, within ``dues.back_payment_months``) plus any voluntary extra,
and registers its order number in public in the same transaction. The gateway's
notification reaches ``payment_notice_apply`` inside this county's schema (the public
endpoint found it through the registry). There, under a row lock on the payment:

- the raw notice is stored once, encrypted (unique channel × notify id): a repeat is
  answered with the first outcome, never applied twice;
- an unknown order is ``unknown_order`` (retryable: the order may not be committed);
- the amount must equal the order's, else ``amount_mismatch`` (refused, reported as a
  ``ReconciliationMismatch``);
- PENDING/CLOSED → PAID is one compare-and-set ``UPDATE … WHERE status IN (…)``; its
  bills become paid; a bill someone paid meanwhile is reported for refund.

Starting a payment (``payment_start``): the order is made and the gateway request
prepared in one transaction, so a gateway that is not configured, not reachable or
refuses the order leaves no order behind. Trying again with the same bills, amount and
channel reuses the member's pending order where the gateway continues a trade under the
same number (``REUSES_ORDER_NO``), so one bill never has two open orders.

Offline: the branch records cash or a bank transfer with its receipt number.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from shared.accounts.models import User
from shared.payments.providers import checkout_start, order_no_reusable
from shared.payments.providers.base import Checkout, CheckoutFailed, Notice, Order
from shared.payments.registry import order_no_new, order_register
from shared.rollups.dirty import rollup_mark_dirty
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.dues.billing import flag_resolve_if_settled
from tenants.dues.calc import Tables, add_months, month_start
from tenants.dues.models import (
    OFFLINE_CHANNELS,
    ONLINE_CHANNELS,
    Channel,
    DuesBill,
    DuesPayment,
    PaymentNotice,
    ReconciliationMismatch,
)
from tenants.members.models import Member
from zhdj.errors import ApplicationError

log = logging.getLogger(__name__)


AHEAD_MONTHS = 2  # a quarterly payer's quarter is billed (and payable) in its first month


def payable_window(today: date | None = None) -> tuple[date, date]:
    """The first and last month of the bills payable online: back payment within
    ``dues.back_payment_months``, ahead only as far as a quarterly payer's quarter."""
    current = month_start(today or timezone.localdate())
    earliest = add_months(current, 1 - Tables().rule("dues.back_payment_months"))
    return earliest, add_months(current, AHEAD_MONTHS)


def payable_bills(member: Member, *, today: date | None = None) -> list[DuesBill]:
    """Unpaid bills the member may pay online: back payment within the window."""
    earliest, latest = payable_window(today)
    return list(
        DuesBill.objects.filter(
            member=member,
            status=DuesBill.Status.UNPAID,
            amount_fen__gt=0,
            month__gte=earliest,
            month__lte=latest,
        ).order_by("month")
    )


@dataclass(frozen=True)
class OwnDues:
    """A member's unpaid bills as 我的党费 tells them apart: the summary may say 已交清
    only when nothing due is unpaid, and a bill made ahead is not yet owed."""

    payable: list[DuesBill]  # payable online now
    overdue: list[DuesBill]  # due, but older than the online window: the branch records it
    upcoming: list[DuesBill]  # billed for a month not yet due, not payable yet

    @property
    def payable_fen(self) -> int:
        return sum(b.amount_fen for b in self.payable)

    @property
    def upcoming_months(self) -> list[date]:
        return [b.month for b in self.upcoming]


def own_dues(member: Member, *, today: date | None = None) -> OwnDues:
    earliest, latest = payable_window(today)
    unpaid = DuesBill.objects.filter(
        member=member, status=DuesBill.Status.UNPAID, amount_fen__gt=0
    ).order_by("month")
    payable, overdue, upcoming = [], [], []
    for bill in unpaid:
        if bill.month < earliest:
            overdue.append(bill)
        elif bill.month > latest:
            upcoming.append(bill)
        else:
            payable.append(bill)
    return OwnDues(payable, overdue, upcoming)


@dataclass(frozen=True)
class Selection:
    bills: list[DuesBill]
    bills_fen: int


def _select(bills: list[DuesBill], months: list[date] | None) -> Selection:
    if months is not None:
        wanted = {month_start(m) for m in months}
        chosen = [b for b in bills if b.month in wanted]
        if len(chosen) != len(wanted):
            raise ApplicationError("所选月份中有不可交纳的账单。", field="months")
        # Pay in order: no later month before an earlier unpaid one.
        if chosen and any(b.month < chosen[-1].month and b not in chosen for b in bills):
            raise ApplicationError("请按月份先后顺序交纳，先交较早的月份。", field="months")
        bills = chosen
    return Selection(bills, sum(b.amount_fen for b in bills))


@transaction.atomic
def payment_order_create(
    *,
    member: Member,
    channel: str,
    voluntary_fen: int = 0,
    months: list[date] | None = None,
) -> DuesPayment:
    """A pending online order (在线交纳订单) for the member's own bills."""
    if channel not in ONLINE_CHANNELS:
        raise ApplicationError("请选择支付方式。", field="channel")
    if voluntary_fen < 0:
        raise ApplicationError("自愿多交金额不能为负数。", field="voluntary")
    Member.objects.select_for_update().filter(pk=member.pk).first()  # one order at a time
    selection = _select(payable_bills(member), months)
    amount = selection.bills_fen + voluntary_fen
    if amount <= 0:
        raise ApplicationError("没有需要交纳的党费。", field="months")
    months_iso = [b.month.isoformat() for b in selection.bills]
    pending = DuesPayment.objects.filter(member=member, status=DuesPayment.Status.PENDING)
    reusable = _reusable(pending.filter(channel=channel).first(), months_iso, voluntary_fen)
    if reusable is not None:
        return reusable
    # An older pending order for the same member is closed (its late payment still counts).
    pending.update(status=DuesPayment.Status.CLOSED)
    payment = DuesPayment.objects.create(
        order_no=order_no_new(),
        member=member,
        org_id=member.org_id,
        channel=channel,
        bills_fen=selection.bills_fen,
        voluntary_fen=voluntary_fen,
        amount_fen=amount,
        bill_months=months_iso,
    )
    order_register(order_no=payment.order_no, channel=channel, amount_fen=amount)
    return payment


def _reusable(
    payment: DuesPayment | None, months_iso: list[str], voluntary_fen: int
) -> DuesPayment | None:
    """The pending order to send again instead of a new one: same channel (the caller's
    filter), same months and voluntary extra, a gateway that continues the trade under
    the same number, and time left to pay before it expires."""
    if payment is None or not order_no_reusable(payment.channel):
        return None
    if payment.bill_months != months_iso or payment.voluntary_fen != voluntary_fen:
        return None
    lifetime = _order_lifetime()
    left = order_expires_at(payment) - timezone.now()
    return payment if left >= min(timedelta(minutes=5), lifetime / 2) else None


CHECKOUT_FAILED = "暂时无法发起{channel}支付，本次没有扣款，请稍后重试或换一种支付方式。"


def payment_start(
    *,
    member: Member,
    channel: str,
    order_for: Callable[[DuesPayment], Order],
    voluntary_fen: int = 0,
    months: list[date] | None = None,
) -> tuple[DuesPayment, Checkout]:
    """Make (or reuse) the member's order and the gateway request that pays it.

    One transaction: when the gateway cannot start the payment (keys not configured,
    gateway unreachable, order refused) the new order, its registry row and the closing
    of an older pending order are all rolled back, and the member is told in Chinese.
    ``order_for`` describes the order for the gateway (its URLs belong to the request).
    The transaction waits for WeChat Pay's order call (10 s at most) under the lock of
    the member's row, which only the member's own next try waits for.
    """
    try:
        with transaction.atomic():
            payment = payment_order_create(
                member=member, channel=channel, voluntary_fen=voluntary_fen, months=months
            )
            checkout = checkout_start(payment.channel, order_for(payment))
    except CheckoutFailed as exc:
        raise ApplicationError(
            CHECKOUT_FAILED.format(channel=Channel(channel).label), field="channel"
        ) from exc
    return payment, checkout


def _order_lifetime() -> timedelta:
    return timedelta(minutes=int(Tables().rule("dues.order_expiry_minutes")))


def order_expires_at(payment: DuesPayment) -> datetime:
    """When the gateway stops taking payment for the order (sent with the order)."""
    return payment.created_at + _order_lifetime()


def orders_expire(*, now: datetime | None = None) -> int:
    """Close pending orders older than ``dues.order_expiry_minutes`` (订单超时关闭).

    The gateway was told the same expiry with the order, so it takes no payment after
    it; the member's page stops waiting and the bills can be paid by a new order. A late
    notification for a closed order still counts (see _decide).
    """
    cutoff = (now or timezone.now()) - _order_lifetime()
    return DuesPayment.objects.filter(
        status=DuesPayment.Status.PENDING, channel__in=ONLINE_CHANNELS, created_at__lt=cutoff
    ).update(status=DuesPayment.Status.CLOSED)


def _report(notice: Notice, kind: str, ours: int | None, detail: str) -> None:
    ReconciliationMismatch.objects.create(
        channel=notice.channel,
        kind=kind,
        order_no=notice.order_no,
        ours_fen=ours,
        gateway_fen=notice.amount_fen,
        detail=detail[:200],
    )
    log.warning("dues: %s %s: %s", notice.order_no, kind, detail)


def _settle(payment: DuesPayment, paid_at) -> list[str]:  # type: ignore[no-untyped-def]
    """Mark the payment's bills paid in one UPDATE; return the months someone had paid
    meanwhile (only looked up when fewer bills changed than the order covers)."""
    months = [date.fromisoformat(m) for m in payment.bill_months]
    bills = DuesBill.objects.filter(member_id=payment.member_id, month__in=months)
    changed = bills.filter(status=DuesBill.Status.UNPAID).update(
        status=DuesBill.Status.PAID, payment=payment, paid_at=paid_at
    )
    if changed == len(months):
        return []
    return [
        m.strftime("%Y-%m") for m in bills.exclude(payment=payment).values_list("month", flat=True)
    ]


def payment_notice_apply(notice: Notice) -> str:
    """Apply a verified gateway notice in this county. Returns the outcome (see module)."""
    try:
        with transaction.atomic():
            return _apply(notice)
    except _Retry:
        return "unknown_order"


class _Retry(Exception):
    """Roll back everything (the notice too): the gateway will send it again."""


def _apply(notice: Notice) -> str:
    try:
        with transaction.atomic():
            record = PaymentNotice.objects.create(
                channel=notice.channel,
                notify_id=notice.notify_id,
                order_no=notice.order_no,
                outcome="received",
                raw=notice.raw,
            )
    except IntegrityError:
        first = PaymentNotice.objects.get(channel=notice.channel, notify_id=notice.notify_id)
        return "duplicate" if first.outcome in ("paid", "already_paid") else first.outcome
    payment = DuesPayment.objects.select_for_update().filter(order_no=notice.order_no).first()
    outcome, detail = _decide(notice, payment)
    record.outcome, record.detail = outcome, detail[:200]
    record.save(update_fields=["outcome", "detail"])
    return outcome


def _decide(notice: Notice, payment: DuesPayment | None) -> tuple[str, str]:
    if payment is None:
        raise _Retry
    if payment.channel != notice.channel:
        _report(notice, "amount", payment.amount_fen, "支付渠道与订单不符")
        return "channel_mismatch", "channel"
    if notice.amount_fen != payment.amount_fen:
        _report(
            notice,
            ReconciliationMismatch.Kind.CALLBACK_AMOUNT,
            payment.amount_fen,
            f"通知金额 {notice.amount_fen} 分，订单金额 {payment.amount_fen} 分",
        )
        return "amount_mismatch", "amount"
    if not notice.success:
        return "not_success", ""
    if payment.status == DuesPayment.Status.PAID:
        if payment.provider_txn_id == notice.txn_id:
            return "already_paid", ""
        _report(notice, "amount", payment.amount_fen, "同一订单两笔交易，需退款")
        return "already_paid", "second transaction"
    paid_at = timezone.now()
    changed = DuesPayment.objects.filter(
        pk=payment.pk, status__in=[DuesPayment.Status.PENDING, DuesPayment.Status.CLOSED]
    ).update(status=DuesPayment.Status.PAID, provider_txn_id=notice.txn_id, paid_at=paid_at)
    if changed != 1:  # cannot happen under the row lock; refuse rather than guess
        raise _Retry
    already = _settle(payment, paid_at)
    if already:
        _report(notice, "amount", payment.amount_fen, f"月份 {','.join(already)} 已交，需退款")
    flag_resolve_if_settled(payment.member)
    transaction.on_commit(rollup_mark_dirty)
    return "paid", ""


@transaction.atomic
def payment_offline_record(
    *,
    scope: Scope,
    member: Member,
    channel: str,
    receipt_no: str,
    months: list[date],
    actor: User,
    voluntary_fen: int = 0,
) -> DuesPayment:
    """Cash or bank transfer received by the branch (线下收缴), with its receipt number."""
    scope.require(Perm.DUES_MANAGE, member.org, message="无权为该党员登记党费。")
    if channel not in OFFLINE_CHANNELS:
        raise ApplicationError("请选择现金或银行转账。", field="channel")
    receipt_no = (receipt_no or "").strip()
    if not receipt_no:
        raise ApplicationError("请填写收据号。", field="receipt_no")
    if DuesPayment.objects.filter(channel=channel, receipt_no=receipt_no).exists():
        raise ApplicationError("该收据号已登记过。", field="receipt_no")
    wanted = sorted({month_start(m) for m in months})
    bills = list(
        DuesBill.objects.select_for_update()
        .filter(member=member, month__in=wanted, status=DuesBill.Status.UNPAID)
        .order_by("month")
    )
    if len(bills) != len(wanted) and wanted:
        raise ApplicationError("所选月份中有已交或不存在的账单。", field="months")
    bills_fen = sum(b.amount_fen for b in bills)
    if bills_fen + voluntary_fen <= 0:
        raise ApplicationError("请选择要交纳的月份或填写自愿多交金额。", field="months")
    now = timezone.now()
    payment = DuesPayment.objects.create(
        order_no=order_no_new("XJ" if channel == "cash" else "ZZ"),
        member=member,
        org_id=member.org_id,
        channel=channel,
        status=DuesPayment.Status.PAID,
        bills_fen=bills_fen,
        voluntary_fen=voluntary_fen,
        amount_fen=bills_fen + voluntary_fen,
        bill_months=[b.month.isoformat() for b in bills],
        receipt_no=receipt_no[:40],
        paid_at=now,
        recorded_by=actor,
    )
    for bill in bills:
        bill.status, bill.payment, bill.paid_at = DuesBill.Status.PAID, payment, now
    DuesBill.objects.bulk_update(bills, ["status", "payment", "paid_at"])
    flag_resolve_if_settled(member)
    transaction.on_commit(rollup_mark_dirty)
    return payment
