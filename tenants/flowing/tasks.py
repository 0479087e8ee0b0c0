"""Flowing-member jobs, one county per task: the day's reminders (each sent once), and the
notices of members flowing in from another county of the city made this county's inflows
(the list page does it too)."""

from __future__ import annotations

from django.utils import timezone

from tenants.flowing.inflows import inflows_sync
from tenants.flowing.reminders import lost_contact_remind, report_due_remind
from zhdj.tasks import tenant_task


@tenant_task(name="tenants.flowing.tasks.remind")
def remind() -> int:
    """Reports back falling due; 失联 members whose time is up."""
    today = timezone.localdate()
    return report_due_remind(today=today) + lost_contact_remind(today=today)


@tenant_task(name="tenants.flowing.tasks.sync_inflows")
def sync_inflows() -> int:
    return inflows_sync()
