"""Daily reconciliation (对账) of one county against each gateway's bill file.

The gateway's file lists every trade paid that day on our merchant account (all
counties); rows whose order number the public registry assigns to another county are
not ours to judge. For this county every difference becomes a mismatch:

- the gateway has a paid trade that we do not have as paid (``missing_ours``);
- we have an online payment paid that day that the gateway does not list
  (``missing_gateway``);
- both have it, amounts differ (``amount``).

Re-running a day replaces that day's list (idempotent).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

from shared.payments.models import PaymentOrder
from shared.payments.providers import CHANNELS, adapter
from tenants.dues.models import DuesPayment, ReconciliationMismatch, ReconciliationRun

Kind = ReconciliationMismatch.Kind


@transaction.atomic
def reconcile_day(*, channel: str, day: date) -> ReconciliationRun:
    rows = adapter(channel).bill_rows(day.isoformat())
    ours_by_schema = set(
        PaymentOrder.objects.filter(
            order_no__in=[r.order_no for r in rows], schema_name=connection.schema_name
        ).values_list("order_no", flat=True)
    )
    gateway = {r.order_no: r for r in rows if r.order_no in ours_by_schema}
    start = timezone.make_aware(datetime.combine(day, time.min))
    paid_that_day = {
        p.order_no: p
        for p in DuesPayment.objects.filter(
            channel=channel,
            status=DuesPayment.Status.PAID,
            paid_at__gte=start,
            paid_at__lt=start + timedelta(days=1),
        )
    }
    known = {p.order_no: p for p in DuesPayment.objects.filter(order_no__in=list(gateway))}
    run, _ = ReconciliationRun.objects.update_or_create(channel=channel, day=day)
    run.items.all().delete()
    items = []
    for order_no, row in gateway.items():
        payment = known.get(order_no)
        if payment is None or payment.status != DuesPayment.Status.PAID:
            items.append(
                _item(
                    run,
                    kind=Kind.MISSING_OURS,
                    order_no=row.order_no,
                    ours=None,
                    theirs=row.amount_fen,
                    detail="平台已收款，本系统未确认到账",
                )
            )
        elif payment.amount_fen != row.amount_fen:
            items.append(
                _item(
                    run,
                    kind=Kind.AMOUNT,
                    order_no=order_no,
                    ours=payment.amount_fen,
                    theirs=row.amount_fen,
                    detail="金额不一致",
                )
            )
    for order_no, payment in paid_that_day.items():
        if order_no not in gateway:
            items.append(
                _item(
                    run,
                    kind=Kind.MISSING_GATEWAY,
                    order_no=order_no,
                    ours=payment.amount_fen,
                    theirs=None,
                    detail="本系统已到账，平台账单无此交易",
                )
            )
    ReconciliationMismatch.objects.bulk_create(items)
    run.gateway_rows, run.our_rows, run.mismatches = len(gateway), len(paid_that_day), len(items)
    run.save()
    return run


def _item(
    run: ReconciliationRun,
    *,
    kind: str,
    order_no: str,
    ours: int | None,
    theirs: int | None,
    detail: str,
) -> ReconciliationMismatch:
    return ReconciliationMismatch(
        run=run,
        channel=run.channel,
        kind=kind,
        order_no=order_no,
        ours_fen=ours,
        gateway_fen=theirs,
        detail=detail,
    )


def reconcile_all(day: date) -> list[ReconciliationRun]:
    return [reconcile_day(channel=c, day=day) for c in CHANNELS]
