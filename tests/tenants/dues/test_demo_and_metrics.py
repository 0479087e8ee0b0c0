"""Demo seeding (idempotent), the rollup metrics (integers, aggregates), the tasks."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from shared.rollups.registry import metrics
from tenants.dues.demo import seed_county
from tenants.dues.models import DuesBill, DuesPayment
from tenants.dues.tasks import bill_month, remind_unpaid
from zhdj.tasks import TenantRequired


def test_demo_seed_is_idempotent_and_leaves_some_unpaid(in_alpha):
    seed_county()
    bills, payments = DuesBill.objects.count(), DuesPayment.objects.count()
    seed_county()
    assert (DuesBill.objects.count(), DuesPayment.objects.count()) == (bills, payments)
    this_month = DuesBill.objects.filter(month=timezone.localdate().replace(day=1))
    assert this_month.filter(status="paid").exists() and this_month.filter(status="unpaid").exists()


def test_dues_metrics_are_integer_aggregates(in_alpha):
    seed_county()
    dues = {m.key: m for m in metrics() if m.key.startswith("dues.")}
    assert {"dues.due_fen", "dues.paid_fen", "dues.members_in_arrears"} <= set(dues)
    due = dict(dues["dues.due_fen"].compute())
    paid = dict(dues["dues.paid_fen"].compute())
    month = timezone.localdate().strftime("%Y-%m")
    assert 0 < paid[month] < due[month]
    for metric in dues.values():
        assert all(isinstance(v, int) and isinstance(d, str) for d, v in metric.compute())


def test_the_billing_task_runs_in_a_county_and_refuses_public(in_alpha):
    seed_county()
    result = bill_month.apply().get()
    assert result["created"] == 0  # seeded this month already: idempotent
    assert remind_unpaid.apply(kwargs={"force": True}).get() >= 1
    connection.set_schema_to_public()
    with pytest.raises(TenantRequired):
        bill_month.apply().get()
