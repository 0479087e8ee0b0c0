"""Organizational life jobs, one county per task: the daily period-end reminders."""

from __future__ import annotations

from django.utils import timezone

from tenants.orglife.reminders import period_end_remind
from zhdj.tasks import tenant_task


@tenant_task(name="tenants.orglife.tasks.remind_period_end")
def remind_period_end() -> int:
    return period_end_remind(today=timezone.localdate())
