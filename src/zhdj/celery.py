"""Celery app: tenant-aware (tenant-schemas-celery).

A task sent from a county's request or task carries ``_schema_name`` and runs in
that schema. Tasks that need a county use :class:`TenantRequiredTask` and refuse to
run in public (a task sent outside any tenant context lands there).
"""

from __future__ import annotations

import os

from celery.schedules import crontab
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhdj.settings.local")

app = CeleryApp("zhdj")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    ["zhdj", "shared.customers", "tenants.notifications", "tenants.orgs", "tenants.imports"]
)

app.conf.beat_schedule = {
    # Worker + beat liveness for /healthz.
    "health-heartbeat": {"task": "zhdj.tasks.heartbeat", "schedule": 30.0},
    # Fan out to every active county, staggered (no thundering herd, no provisioning tenant).
    "term-expiry-reminders": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(hour=8, minute=0),
        "args": ("tenants.orgs.tasks.remind_term_expiry",),
    },
    "purge-stale-imports": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(hour=2, minute=40),
        "args": ("tenants.imports.tasks.purge_stale_imports",),
    },
    "purge-read-notifications": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(hour=3, minute=10),
        "args": ("tenants.notifications.tasks.purge_read_notifications",),
    },
}
