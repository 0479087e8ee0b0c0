"""Flowing-member jobs, one county per task: the day's reminders (each sent once)."""

from __future__ import annotations

from django.utils import timezone

from tenants.flowing.reminders import lost_contact_remind, report_due_remind
from zhdj.tasks import tenant_task


@tenant_task(name="tenants.flowing.tasks.remind")
def remind() -> int:
    """Reports back falling due; 失联 members whose time is up."""
    today = timezone.localdate()
    return report_due_remind(today=today) + lost_contact_remind(today=today)
