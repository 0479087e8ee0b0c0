"""Periodic notification work, per county."""

from __future__ import annotations

from tenants.notifications.services import notification_purge_read
from zhdj.tasks import tenant_task

READ_RETENTION_DAYS = 180


@tenant_task(name="tenants.notifications.tasks.purge_read_notifications")
def purge_read_notifications() -> int:
    return notification_purge_read(older_than_days=READ_RETENTION_DAYS)
