"""Daily reminders of development (发展党员到期提醒), one county per task: steps falling
due (``reminders``) and thought reports (思想汇报, ``thought_reports``)."""

from __future__ import annotations

from django.utils import timezone

from tenants.development.reminders import reminders_send
from tenants.development.thought_reports import thought_reports_remind
from zhdj.tasks import tenant_task


@tenant_task(name="tenants.development.tasks.remind_steps")
def remind_steps() -> int:
    today = timezone.localdate()
    return reminders_send(today=today) + thought_reports_remind(today=today)
