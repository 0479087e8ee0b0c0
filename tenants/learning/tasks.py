"""Learning jobs, one county per task: close the timed tests left open past their deadline
(a member who closed the page is graded on what was saved)."""

from __future__ import annotations

from tenants.learning.exams import expire_overdue
from zhdj.tasks import tenant_task


@tenant_task(name="tenants.learning.tasks.close_overdue_attempts")
def close_overdue_attempts() -> int:
    return expire_overdue()
