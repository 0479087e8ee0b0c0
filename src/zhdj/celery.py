"""Celery app: tenant-aware (tenant-schemas-celery).

A task sent from a county's request or task carries ``_schema_name`` and runs in
that schema. Tasks that need a county use :class:`TenantRequiredTask` and refuse to
run in public (a task sent outside any tenant context lands there).
"""

from __future__ import annotations

import os
from typing import Any

from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun, worker_init, worker_ready
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhdj.settings.local")

app = CeleryApp("zhdj")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    [
        "zhdj",
        "shared.accounts",
        "shared.customers",
        "shared.customers.backup",
        "shared.rollups",
        "tenants.notifications",
        "tenants.orgs",
        "tenants.imports",
        "tenants.development",
        "tenants.dues",
        "tenants.transfers",
        "tenants.orglife",
        "tenants.learning",
        "tenants.flowing",
    ]
)


@task_prerun.connect
def _activate_site_language(**_: Any) -> None:
    """Tasks speak the site's language (zh-hans). A worker has no request, so no
    LocaleMiddleware: without this, messages a task stores for a page (a validator's, a
    form's) came out in English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


def _metrics_signals() -> None:
    """Task counts and durations (zhdj.metrics); the worker's own metrics endpoint."""
    from zhdj import metrics

    worker_init.connect(metrics.prepare_folder, weak=False)
    task_prerun.connect(metrics.task_started, weak=False)
    task_postrun.connect(metrics.task_finished, weak=False)
    worker_ready.connect(metrics.serve_worker_metrics, weak=False)


_metrics_signals()


@worker_init.connect
def _refuse_unsafe_start(**_: Any) -> None:
    """Production settings with test keys, debug mode or demo data: the worker does not
    start either (zhdj/checks.py). Celery logs and swallows a receiver's exception, so the
    refusal leaves as SystemExit."""
    from django.core.exceptions import ImproperlyConfigured

    from zhdj.checks import refuse_unsafe_start

    try:
        refuse_unsafe_start("后台任务进程")
    except ImproperlyConfigured as refused:
        raise SystemExit(str(refused)) from refused


app.conf.beat_schedule = {
    # Member development: upcoming and overdue steps (发展党员到期提醒).
    "development-step-reminders": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(hour=8, minute=10),
        "args": ("tenants.development.tasks.remind_steps",),
    },
    # Organizational life: required meetings not held as a month or quarter ends.
    "orglife-period-end": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(hour=8, minute=15),
        "args": ("tenants.orglife.tasks.remind_period_end",),
    },
    # Learning: timed tests left open past their deadline are graded on what was saved
    # (opening the attempt does it too; this closes the ones nobody opens again).
    "learning-overdue-attempts": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(minute="*/10"),
        "args": ("tenants.learning.tasks.close_overdue_attempts",),
    },
    # Learning: a test closing soon; members short of their yearly hours (once a year).
    "learning-reminders": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(hour=8, minute=30),
        "args": ("tenants.learning.tasks.remind",),
    },
    # Flowing members: notices of members flowing in from another county of the city
    # become this county's inflows (the list page syncs too, at once).
    "flowing-sync-inflows": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(minute="*/15"),
        "args": ("tenants.flowing.tasks.sync_inflows",),
    },
    # Transfers: late receipts (回执逾期) and 组织关系保留 expiry reminders.
    "transfer-late-receipts": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(hour=8, minute=20),
        "args": ("tenants.transfers.tasks.remind_late_receipts",),
    },
    "transfer-retention-expiry": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(hour=8, minute=25),
        "args": ("tenants.transfers.tasks.remind_retention_expiry",),
    },
    # Transfers: envelopes not accepted within their validity expire (sending county owns it).
    "transfer-envelope-expiry": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(hour=0, minute=15),
        "args": ("tenants.transfers.tasks.expire_envelopes",),
    },
    # Transfers: acceptance steps whose hand-off to the other county was lost.
    "transfer-envelope-resume": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(minute="*/5"),
        "args": ("tenants.transfers.tasks.resume_envelopes", 0.1),
    },
    # City dashboard: every active county rolled up into public (debounced refreshes fill
    # the gaps), and once just after midnight so each day keeps its snapshot.
    "rollups-city": {
        "task": "shared.rollups.tasks.rollup_city_task",
        "schedule": float(os.environ.get("ROLLUPS_FULL_EVERY_SECONDS", "900")),
    },
    "rollups-daily-snapshot": {
        "task": "shared.rollups.tasks.rollup_city_task",
        "schedule": crontab(hour=0, minute=5),
    },
    # Worker + beat liveness for /healthz.
    "health-heartbeat": {"task": "zhdj.tasks.heartbeat", "schedule": 30.0},
    # Fan out to every active county, staggered (no thundering herd, no provisioning tenant).
    "term-expiry-reminders": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(hour=8, minute=0),
        "args": ("tenants.orgs.tasks.remind_term_expiry",),
    },
    # Every county's archive (schema, files, key identity), encrypted; 14 days kept.
    "county-archives": {
        "task": "shared.customers.backup.tasks.archive_counties",
        "schedule": crontab(hour=2, minute=20),
    },
    "purge-stale-imports": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(hour=2, minute=40),
        "args": ("tenants.imports.tasks.purge_stale_imports",),
    },
    # Party dues: the month's missing bills daily (a restart at the wrong hour on the 1st
    # skips no month: the next run creates what is missing, idempotently), reconciliation
    # of yesterday, reminders (rule: day; once per member and month).
    "dues-bill-month": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(hour=1, minute=10),
        "args": ("tenants.dues.tasks.bill_month",),
    },
    "dues-reconcile": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(hour=10, minute=20),
        "args": ("tenants.dues.tasks.reconcile_yesterday",),
    },
    "dues-expire-orders": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(minute="*/10"),
        "args": ("tenants.dues.tasks.expire_orders",),
    },
    "dues-remind-unpaid": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(hour=9, minute=30),
        "args": ("tenants.dues.tasks.remind_unpaid",),
    },
    # Flowing members: reports back falling due, 失联 members whose time is up (once each).
    "flowing-reminders": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(hour=8, minute=35),
        "args": ("tenants.flowing.tasks.remind",),
    },
    # Security events older than ZHDJ_AUDIT_RETENTION_DAYS (≥ 180), every schema.
    "purge-security-events": {
        "task": "shared.accounts.tasks.purge_security_events",
        "schedule": crontab(hour=3, minute=40),
    },
    "purge-read-notifications": {
        "task": "zhdj.tasks.for_each_active_tenant",
        "schedule": crontab(hour=3, minute=10),
        "args": ("tenants.notifications.tasks.purge_read_notifications",),
    },
}
