"""Dues jobs per county (beat fans them out with ``for_each_active_tenant``).

- ``bill_month``: daily, the month's bills that are missing (none on most days: existing
  bills are skipped), then the arrears scan. Daily, not on the 1st only: a beat or worker
  down at that hour (or a lost schedule file) skips no month, the next day catches up;
- ``reconcile_yesterday``: daily, each gateway's bill file against our payments;
- ``remind_unpaid``: daily, acting only on the county's reminder day (``dues.reminder_day``);
- ``expire_orders``: every few minutes, pending online orders past ``dues.order_expiry_minutes``.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from tenants.access.scope import Scope
from tenants.dues import billing, reconcile, reminders
from tenants.dues.payments import orders_expire
from tenants.rules.selectors import rule_value
from zhdj.tasks import tenant_task


@tenant_task(name="tenants.dues.tasks.bill_month", acks_late=True)
def bill_month(month: str | None = None) -> dict:
    day = date.fromisoformat(month) if month else timezone.localdate()
    result = billing.bills_generate(scope=Scope.system(), month=day)
    flags = billing.arrears_scan(scope=Scope.system(), through=day)
    return {"month": result.month.isoformat(), "created": result.created, "flags": len(flags)}


@tenant_task(name="tenants.dues.tasks.reconcile_yesterday", acks_late=True)
def reconcile_yesterday(day: str | None = None) -> dict:
    target = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    runs = reconcile.reconcile_all(target)
    return {run.channel: run.mismatches for run in runs}


@tenant_task(name="tenants.dues.tasks.remind_unpaid")
def remind_unpaid(force: bool = False) -> int:
    today = timezone.localdate()
    if not force and today.day != int(rule_value("dues.reminder_day")):
        return 0
    # Once per member and month: a redelivered task (or a forced rerun) reminds nobody twice.
    return reminders.remind_unpaid(scope=Scope.system(), today=today, once=f"{today:%Y-%m}")


@tenant_task(name="tenants.dues.tasks.expire_orders", acks_late=True)
def expire_orders() -> int:
    return orders_expire()
