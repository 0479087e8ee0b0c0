"""Task bases and platform tasks (heartbeat, tenant fan-out)."""

from __future__ import annotations

import time
from typing import Any

import redis
from celery.signals import worker_ready
from django.conf import settings
from django.db import connection
from tenant_schemas_celery.task import TenantTask

from zhdj.celery import app

HEARTBEAT_KEY = "zhdj:health:celery"
HEARTBEAT_TTL = 120
STAGGER_SECONDS = 2.0


class TenantRequired(RuntimeError):
    """A county task was run without a county (it would have run in public)."""


class TenantRequiredTask(TenantTask):
    """Base for tasks that act on one county's data. Fails closed in public."""

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if connection.schema_name in (None, "public"):
            raise TenantRequired(f"任务 {self.name} 必须在区县租户中运行，拒绝在公共模式中执行。")
        return super().__call__(*args, **kwargs)


def tenant_task(*args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
    """``@tenant_task`` — a Celery task that runs in (and only in) a county schema."""
    kwargs.setdefault("base", TenantRequiredTask)
    return app.task(*args, **kwargs)


@app.task(name="zhdj.tasks.heartbeat")
def heartbeat() -> float:
    now = time.time()
    with redis.Redis.from_url(settings.REDIS_URL) as client:
        client.set(HEARTBEAT_KEY, now, ex=HEARTBEAT_TTL)
    return now


@worker_ready.connect
def _first_heartbeat(**_: Any) -> None:
    """A fresh worker reports at once rather than at beat's first tick (30 s)."""
    heartbeat.delay()


@app.task(name="zhdj.tasks.for_each_active_tenant")
def for_each_active_tenant(task_name: str, stagger: float = STAGGER_SECONDS) -> int:
    """Send ``task_name`` to each active county, spread out over time."""
    from django_tenants.utils import schema_context

    from shared.customers.models import Tenant

    schemas = list(
        Tenant.objects.filter(status=Tenant.Status.ACTIVE)
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )
    for i, schema in enumerate(schemas):
        with schema_context(schema):
            app.send_task(task_name, countdown=i * stagger)
    return len(schemas)


@app.task(name="zhdj.tasks.current_schema", base=TenantRequiredTask)
def current_schema() -> str:
    """Report the schema this task ran in (diagnostics, isolation tests)."""
    return connection.schema_name
