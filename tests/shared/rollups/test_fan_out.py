"""The periodic city rollup as the workers run it: one task per county (a chord), the
figures equal direct counts, and open city pages hear of the run once, at its end."""

from __future__ import annotations

import asyncio
import contextlib
import re

import pytest
from celery.result import AsyncResult
from channels.layers import get_channel_layer
from django.db import connection
from django.utils import timezone

from shared.customers.models import Tenant
from shared.rollups.live import CITY_GROUP, CITY_WIDE
from shared.rollups.models import Figure, TenantRollup
from shared.rollups.services import active_tenants
from tests.shared.rollups.helpers import direct_figures
from tests.support.live import other_workers_paused, start_worker
from tests.support.threads import run_async


@pytest.mark.live
def test_a_fanned_out_city_run_rolls_every_county_and_pushes_once(
    committed, tmp_path, django_db_setup
):
    from shared.rollups.tasks import rollup_city_task
    from zhdj.celery import app

    schemas = [t.schema_name for t in active_tenants()]
    started = timezone.now()
    # Refreshes queued by the dirty marks of earlier tests would push per county.
    app.control.purge()

    async def scenario() -> tuple[dict, dict, list[dict]]:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(CITY_GROUP, channel)
        try:
            sent = await asyncio.to_thread(lambda: rollup_city_task.delay().get(timeout=60))
            summary = await asyncio.to_thread(lambda: AsyncResult(sent["done"]).get(timeout=120))
            heard = [await asyncio.wait_for(layer.receive(channel), timeout=10)]
            with contextlib.suppress(TimeoutError):  # nothing more for this run
                heard.append(await asyncio.wait_for(layer.receive(channel), timeout=1.5))
        finally:
            await layer.group_discard(CITY_GROUP, channel)
        return sent, summary, heard

    with other_workers_paused():  # every task of the run reaches this test's worker
        worker = start_worker(tmp_path / "worker.log")
        try:
            sent, summary, heard = run_async(scenario)
            log = worker.output()
        finally:
            worker.stop()

    assert sent["counties"] == summary["counties"] == len(schemas) >= 2
    assert summary["stored"] == len(schemas) and summary["failed"] == []
    # One task per county (its own task id in the worker's log).
    tasks = set(re.findall(r"shared\.rollups\.tasks\.rollup_county_task\[([0-9a-f-]+)\]", log))
    assert len(tasks) == len(schemas)
    # The city page hears of the whole run once.
    assert len(heard) == 1 and heard[0]["county"] == CITY_WIDE
    connection.set_schema_to_public()
    for schema in schemas:
        state = TenantRollup.objects.get(tenant__schema_name=schema)
        assert state.started_at > started
        tenant = Tenant.objects.get(schema_name=schema)
        stored = {
            (f.metric, f.dimension): f.value
            for f in Figure.objects.filter(tenant=tenant, period=state.period)
        }
        for key, value in direct_figures(schema).items():
            assert stored.get(key, 0) == value, (schema, key)


@pytest.mark.django_db
def test_a_county_task_runs_its_statements_without_parallel_workers_then_resets(settings):
    from shared.rollups.tasks import _parallel_workers_per_statement

    def current() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            return cursor.fetchone()[0]

    before = current()
    settings.ROLLUPS_FAN_OUT_PARALLEL_WORKERS = int(before) + 1  # unlike the default
    with _parallel_workers_per_statement():
        assert current() == str(int(before) + 1)
    assert current() == before
