"""Learning jobs, one county per task: close the timed tests left open past their deadline
(a member who closed the page is graded on what was saved); the day's reminders."""

from __future__ import annotations

from django.utils import timezone

from tenants.learning.exams import expire_overdue
from tenants.learning.reminders import paper_closing_remind, target_remind
from zhdj.tasks import tenant_task


@tenant_task(name="tenants.learning.tasks.close_overdue_attempts")
def close_overdue_attempts() -> int:
    return expire_overdue()


@tenant_task(name="tenants.learning.tasks.remind")
def remind() -> int:
    """The day's learning reminders (a test closing soon; the yearly hours, once a year)."""
    today = timezone.localdate()
    return paper_closing_remind(today=today) + target_remind(today=today)
