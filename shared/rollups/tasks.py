"""Rollup tasks: the debounced refresh of one county and the periodic full rollup.

* ``rollup_refresh`` — a county task (it carries the schema and refuses to run in public):
  the debounced refresh after a change.
* ``rollup_city_task`` — beat, in public: fans the city's rollup out, one
  ``rollup_county_task`` per ACTIVE county (a Celery chord), so that the worker processes
  roll counties up side by side (each county's statements without parallel query
  workers: ``ROLLUPS_FAN_OUT_PARALLEL_WORKERS``). ``rollup_city_done``, the chord's body,
  runs once every county has finished: one push to open dashboards for the lot, then the
  pruning of old snapshots.

All are idempotent (upserts keyed by tenant, period, metric, dimension; one transaction
per county), so ``acks_late`` with ``reject_on_worker_lost`` may run a county again after
its worker died, and nothing is counted twice. A county that fails is logged and reported
in the run's result; it does not keep the others off the dashboard.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict

from celery import chord
from django.conf import settings
from django.db import connection

from shared.customers.models import Tenant
from shared.rollups.dirty import rollup_clear_dirty
from shared.rollups.live import Landed, push_landed_many
from shared.rollups.registry import city_run
from shared.rollups.services import (
    active_tenants,
    pushes_held,
    rollup_tenant,
    snapshots_prune,
)
from zhdj.celery import app
from zhdj.tasks import tenant_task

logger = logging.getLogger(__name__)


@tenant_task(name="shared.rollups.tasks.rollup_refresh", acks_late=True)
def rollup_refresh() -> dict:
    schema = connection.schema_name
    rollup_clear_dirty(schema)
    tenant = Tenant.objects.filter(schema_name=schema).first()
    if tenant is None:
        return {"schema": schema, "stored": False}
    result = rollup_tenant(tenant=tenant)
    return {"schema": schema, "stored": result.stored, "seconds": round(result.seconds, 3)}


@app.task(name="shared.rollups.tasks.rollup_city_task", acks_late=True)
def rollup_city_task() -> dict:
    """Send one county task per active county and the run's closing task after them."""
    connection.set_schema_to_public()
    run = uuid.uuid4().hex
    schemas = [t.schema_name for t in active_tenants()]
    done = rollup_city_done.s(run=run)
    if schemas:
        # The county travels in the header tenant-schemas-celery reads (each task its own).
        header = [
            rollup_county_task.si(run=run).set(headers={"_schema_name": schema})
            for schema in schemas
        ]
        result = chord(header)(done)
    else:
        result = done.delay([])
    return {"run": run, "counties": len(schemas), "done": result.id}


@tenant_task(name="shared.rollups.tasks.rollup_county_task", acks_late=True)
def rollup_county_task(run: str) -> dict:
    """One county of a city run; what it stored is pushed by rollup_city_done."""
    schema = connection.schema_name
    landed: list[Landed] = []
    try:
        tenant = Tenant.objects.get(schema_name=schema)
        with pushes_held(landed), city_run(run), _parallel_workers_per_statement():
            result = rollup_tenant(tenant=tenant)
    except Exception:
        # Reported, not raised: a raising member of the chord would cancel the closing
        # push and pruning for every other county.
        logger.exception("rollup of %s failed", schema)
        return {"schema": schema, "stored": False, "failed": True}
    return {
        "schema": schema,
        "stored": result.stored,
        "seconds": round(result.seconds, 3),
        "landed": [asdict(item) for item in landed],
    }


@contextmanager
def _parallel_workers_per_statement() -> Iterator[None]:
    """``ROLLUPS_FAN_OUT_PARALLEL_WORKERS`` for this task's statements, then the session's
    default again (the worker process keeps its connection for other tasks)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('max_parallel_workers_per_gather', %s, false)",
            [str(settings.ROLLUPS_FAN_OUT_PARALLEL_WORKERS)],
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET max_parallel_workers_per_gather")


@app.task(name="shared.rollups.tasks.rollup_city_done", acks_late=True)
def rollup_city_done(results: list[dict], run: str = "") -> dict:
    """After every county of a run: one push for the lot, then the snapshot pruning."""
    connection.set_schema_to_public()
    results = [r for r in results if isinstance(r, dict)]
    push_landed_many([Landed(**item) for r in results for item in r.get("landed", [])])
    pruned = snapshots_prune()
    return {
        "run": run,
        "counties": len(results),
        "stored": sum(1 for r in results if r.get("stored")),
        "failed": sorted(r["schema"] for r in results if r.get("failed")),
        "seconds": round(sum(r.get("seconds", 0.0) for r in results), 3),
        "pruned": pruned,
    }
