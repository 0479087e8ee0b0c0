"""A worker killed in the middle of a rollup: the next run finishes, nothing counted twice."""

from __future__ import annotations

import os
import signal
import time

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from shared.customers.models import Tenant
from shared.rollups.models import Figure, OrgFigure, TenantRollup
from shared.rollups.services import rollup_city
from tests.shared.rollups.helpers import direct_figures
from tests.support.live import other_workers_paused, start_worker

pytestmark = [pytest.mark.live]


def _dsn() -> str:
    s = connection.settings_dict
    return f"host={s['HOST']} port={s['PORT']} user={s['USER']} dbname={s['NAME']}"


def _wait(predicate, seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


def _state(schema: str):  # type: ignore[no-untyped-def]
    return TenantRollup.objects.filter(tenant__schema_name=schema).first()


def test_a_worker_killed_mid_rollup_leaves_nothing_half_written(
    committed, tmp_path, django_db_setup
):
    from shared.rollups.tasks import rollup_city_task

    started = timezone.now()
    with other_workers_paused():  # the run's tasks must reach the worker killed below
        worker = start_worker(tmp_path / "worker.log")
        blocker = psycopg.connect(_dsn(), autocommit=False)
        try:
            # Hold beta's members table: the worker rolls alpha up, then blocks in beta's.
            blocker.execute("LOCK TABLE beta.members_member IN ACCESS EXCLUSIVE MODE")
            beta_before = _state("beta")
            rollup_city_task.delay()
            _wait(lambda: (s := _state("alpha")) is not None and s.started_at > started)
            _wait(
                lambda: (
                    "rollup_city_task" in worker.output() and _locks_waiting() > 0
                )  # the worker waits on beta's table right now
            )
            os.killpg(worker.proc.pid, signal.SIGKILL)
            worker.proc.wait(timeout=10)
        finally:
            blocker.rollback()
            blocker.close()
            worker.stop()
    # Beta's half-done rollup left no trace.
    after = _state("beta")
    assert (after.started_at if after else None) == (
        beta_before.started_at if beta_before else None
    )
    # The next run finishes; every figure equals a direct count, none doubled.
    rollup_city()
    connection.set_schema_to_public()
    for schema in ("alpha", "beta"):
        tenant = Tenant.objects.get(schema_name=schema)
        period = _state(schema).period
        stored = {
            (f.metric, f.dimension): f.value
            for f in Figure.objects.filter(tenant=tenant, period=period)
        }
        for key, value in direct_figures(schema).items():
            assert stored.get(key, 0) == value, (schema, key)
        keys = list(
            OrgFigure.objects.filter(tenant=tenant).values_list("org_id", "metric", "dimension")
        )
        assert len(keys) == len(set(keys))


def _locks_waiting() -> int:
    with psycopg.connect(_dsn(), autocommit=True) as c:
        return c.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class r ON r.oid = l.relation "
            "WHERE NOT l.granted AND r.relname = 'members_member'"
        ).fetchone()[0]
