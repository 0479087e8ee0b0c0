"""Rollup tasks: the debounced refresh of one county and the periodic full rollup.

``rollup_refresh`` is a county task (it carries the schema and refuses to run in
public); ``rollup_city_task`` runs in public and walks the active counties. Both are
idempotent (upserts keyed by tenant, period, metric, dimension), so ``acks_late`` with
``reject_on_worker_lost`` may run them again after a worker dies.
"""

from __future__ import annotations

from django.db import connection

from shared.customers.models import Tenant
from shared.rollups.dirty import rollup_clear_dirty
from shared.rollups.services import rollup_city, rollup_tenant
from zhdj.celery import app
from zhdj.tasks import tenant_task


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
    connection.set_schema_to_public()
    results = rollup_city()
    return {
        "counties": len(results),
        "stored": sum(r.stored for r in results),
        "seconds": round(sum(r.seconds for r in results), 3),
    }
