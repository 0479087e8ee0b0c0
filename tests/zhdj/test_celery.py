"""Tenant-aware tasks, against a real worker process."""

from __future__ import annotations

import time

import pytest
import redis
from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from django_tenants.utils import schema_context

from shared.customers.models import Tenant
from zhdj.tasks import HEARTBEAT_KEY, current_schema, for_each_active_tenant

pytestmark = pytest.mark.live


def test_a_task_sent_from_a_county_runs_in_that_county(
    celery_worker_process, committed, alpha, beta
):
    with schema_context(alpha.schema):
        a = current_schema.delay()
    with schema_context(beta.schema):
        b = current_schema.delay()
    assert a.get(timeout=30) == alpha.schema
    assert b.get(timeout=30) == beta.schema


def test_a_county_task_sent_without_a_county_refuses_to_run(celery_worker_process, committed):
    result = current_schema.delay()  # sent from public
    with pytest.raises(Exception) as excinfo:
        result.get(timeout=30)
    assert "TenantRequired" in type(excinfo.value).__name__ or "租户" in str(excinfo.value)


def test_fan_out_reaches_active_counties_only(celery_worker_process, committed, alpha):
    tenant = Tenant.objects.get(schema_name=alpha.schema)
    tenant.status = Tenant.Status.SUSPENDED
    tenant.save(update_fields=["status"])
    try:
        sent = for_each_active_tenant.delay("zhdj.tasks.current_schema", 0).get(timeout=30)
    finally:
        tenant.status = Tenant.Status.ACTIVE
        tenant.save(update_fields=["status"])
    active = Tenant.objects.filter(status=Tenant.Status.ACTIVE).count() - 1
    assert sent == active
    assert Tenant.objects.filter(status=Tenant.Status.TEMPLATE).exists()  # never fanned to


def test_worker_and_beat_report_a_heartbeat(celery_worker_process):
    with redis.Redis.from_url(settings.REDIS_URL) as client:
        deadline = time.time() + 30
        while client.get(HEARTBEAT_KEY) is None and time.time() < deadline:
            time.sleep(0.5)
        assert client.get(HEARTBEAT_KEY) is not None


def test_unknown_schema_is_refused(celery_worker_process, committed):
    from zhdj.celery import app

    result = app.send_task("zhdj.tasks.current_schema", headers={"_schema_name": "nosuch"})
    with pytest.raises((Exception, CeleryTimeout)):
        result.get(timeout=30)


def test_every_scheduled_task_is_registered_in_the_worker():
    """A beat entry names a task the worker knows (the fan-out's county task too): an app
    left out of ``autodiscover_tasks`` had its reminders discarded as unregistered."""
    from zhdj.celery import app

    app.loader.import_default_modules()
    names = set(app.tasks)
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in names, entry["task"]
        for arg in entry.get("args", ()):
            if isinstance(arg, str) and arg.startswith(("tenants.", "shared.", "zhdj.")):
                assert arg in names, arg
