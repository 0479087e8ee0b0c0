"""Dues figures for the city dashboard (党费收缴汇总), integers only, never a person.

``dues.due_fen`` and ``dues.paid_fen`` (by month, 分) give the collection rate as their
ratio (the dashboard divides); ``dues.members_in_arrears`` counts members with an open
flag of long arrears; ``dues.online_paid_fen`` shows how much came through gateways.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, Sum
from django.utils import timezone

from shared.rollups.registry import memo, metric
from tenants.dues.calc import add_months, month_start
from tenants.dues.models import ONLINE_CHANNELS, ArrearsFlag, Channel, DuesBill, DuesPayment

MONTHS = 12


def _months() -> tuple:
    last = month_start(timezone.localdate())
    return add_months(last, 1 - MONTHS), last


@memo
def _by_month() -> list[tuple[str, int, int]]:
    """(month, due, paid) of the last twelve months, one query for both metrics."""
    first, last = _months()
    rows = (
        DuesBill.objects.filter(month__gte=first, month__lte=last)
        .values("month")
        .annotate(
            due=Sum("amount_fen", default=0),
            paid=Sum("amount_fen", filter=Q(status=DuesBill.Status.PAID), default=0),
        )
        .order_by("month")
    )
    return [(r["month"].strftime("%Y-%m"), int(r["due"]), int(r["paid"])) for r in rows]


@metric(
    "dues.due_fen",
    label="应交党费",
    unit="分",
    dimension_label="月份",
    order="dimension",
    composition=False,
)
def due_fen() -> Iterable[tuple[str, int]]:
    return [(month, due) for month, due, _ in _by_month()]


@metric(
    "dues.paid_fen",
    label="已交党费",
    unit="分",
    dimension_label="月份",
    order="dimension",
    composition=False,
)
def paid_fen() -> Iterable[tuple[str, int]]:
    return [(month, paid) for month, _, paid in _by_month()]


@metric("dues.members_in_arrears", label="连续欠缴党费人数", unit="人")
def members_in_arrears() -> Iterable[tuple[str, int]]:
    return [("", ArrearsFlag.objects.filter(resolved_at__isnull=True).count())]


@metric("dues.unpaid_members", label="本月未交党费人数", unit="人")
def unpaid_members() -> Iterable[tuple[str, int]]:
    n = DuesBill.objects.filter(
        month=month_start(timezone.localdate()), status=DuesBill.Status.UNPAID, amount_fen__gt=0
    ).aggregate(n=Count("*"))["n"]
    return [("", int(n))]


@metric("dues.online_paid_fen", label="在线交纳党费", unit="分", dimension_label="支付渠道")
def online_paid_fen() -> Iterable[tuple[str, int]]:
    first, _ = _months()
    rows = (
        DuesPayment.objects.filter(
            status=DuesPayment.Status.PAID, channel__in=ONLINE_CHANNELS, paid_at__date__gte=first
        )
        .values("channel")
        .annotate(total=Sum("amount_fen"))
        .order_by("channel")
    )
    # Keyed by the channel's Chinese label (the model's choices): dimensions are shown as stored.
    return [(Channel(r["channel"]).label, int(r["total"])) for r in rows]
