"""A killed ``migrate_schemas --tenant --executor pending`` leaves no schema half-migrated
(issue 18 item 4; src/zhdj/tenancy/executor.py, one transaction per schema).

On a database of its own (``zhdj_bench_kill_*``, made like bench/migrate_scale.py's: the
public schema migrated, the template, and county schemas replayed from the template's dump)
with bench.migrateapp's ``migrations_indexed`` pending — an AddField with an index, i.e.
deferred SQL, which Django's own executor records only after committing the operations —
the run is SIGKILLed (its whole process group, as a container is killed) once some schemas
recorded the migration. Every schema must then have the column and its index exactly when
it has the record, and the same command run again must finish the rest.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bench.common import PG_URL, PYTHON, ROOT, check_db_name, child_env

COUNTIES = 30
SCHEMAS = ["county_template", *(f"bench_m{i:04d}" for i in range(COUNTIES))]
MIGRATION = "0002_note_indexed"
# One database per test database name: two suites running at once do not share it.
DB = check_db_name(
    "zhdj_bench_kill_" + re.sub(r"[^a-z0-9_]", "_", os.environ.get("ZHDJ_TEST_DB", "test_zhdj"))
)
ENV = child_env("bench.settings_migrate", BENCH_MIGRATE_DB=DB)
# The database takes about a minute to make (two migrate runs, then the county schemas),
# in a process of its own: it starts when the session's tests are collected
# (tests/conftest.py, ``pytest_collection_finish``) and is made while the tests before
# this module run. ``database`` waits for it.
PREPARE_LOG = Path(tempfile.gettempdir()) / f"{DB}.prepare.log"
_prepare: list[subprocess.Popen] = []


def start_in_background() -> None:
    if not _prepare:
        with PREPARE_LOG.open("w") as log:  # a file, not a pipe: read once it has ended
            proc = subprocess.Popen(
                [PYTHON, "bench/migrate_scale.py", "_prepare", str(COUNTIES)],
                cwd=ROOT, env=ENV, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        _prepare.append(proc)


def stop_background() -> None:
    """At the end of the session: a prepare still running (this module deselected or not
    reached) is stopped; the next prepare drops its half-made database."""
    for proc in _prepare:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def database() -> Iterator[dict[str, str]]:
    start_in_background()  # started at collection already, unless the hook did not run
    proc = _prepare[0]
    proc.wait(timeout=300)
    assert proc.returncode == 0, PREPARE_LOG.read_text(errors="replace")
    yield {**ENV, "BENCH_PENDING_ADDFIELD": "indexed"}
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


def migrate(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "django", "migrate_schemas", "--tenant", "--noinput", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip


def state(conn: psycopg.Connection) -> dict[str, tuple[bool, bool, bool]]:
    """Per schema: (migration recorded, column present, index on it present)."""
    rows = conn.execute(
        """
        SELECT s,
               EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = to_regclass(
                         format('%%I.migrateapp_note', s)) AND a.attname = 'rank'
                         AND NOT a.attisdropped),
               EXISTS (SELECT 1 FROM pg_indexes i WHERE i.schemaname = s
                         AND i.tablename = 'migrateapp_note' AND i.indexdef LIKE '%%(rank)%%')
        FROM unnest(%s::text[]) AS s
        """,
        [SCHEMAS],
    ).fetchall()
    recorded = set(recorded_in(conn))
    return {s: (s in recorded, column, index) for s, column, index in rows}


def recorded_in(conn: psycopg.Connection) -> list[str]:
    union = " UNION ALL ".join(
        f"SELECT '{s}' FROM {s}.django_migrations WHERE app = 'migrateapp' AND name = %s"
        for s in SCHEMAS
    )
    return [row[0] for row in conn.execute(union, [MIGRATION] * len(SCHEMAS)).fetchall()]


def wait_for_backends_gone(conn: psycopg.Connection) -> None:
    """The killed run's server processes end when their statement does (a pg_sleep)."""
    for _ in range(200):
        alive = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [DB],
        ).fetchone()[0]
        if not alive:
            return
        time.sleep(0.05)
    raise AssertionError("the killed run's backends are still there")


def undo(conn: psycopg.Connection) -> None:
    for s in SCHEMAS:
        conn.execute(f"ALTER TABLE {s}.migrateapp_note DROP COLUMN IF EXISTS rank")
        conn.execute(
            f"DELETE FROM {s}.django_migrations WHERE app = 'migrateapp' AND name = %s",
            [MIGRATION],
        )


def test_a_killed_run_leaves_each_schema_migrated_and_recorded_or_untouched(database):  # type: ignore[no-untyped-def]
    with psycopg.connect(f"{PG_URL}/{DB}", autocommit=True) as conn:
        undo(conn)
        run = migrate(database, "--executor", "pending")
        deadline = time.monotonic() + 60
        while len(recorded_in(conn)) < 4:
            assert run.poll() is None, run.communicate()[0]
            assert time.monotonic() < deadline, "the run recorded nothing in 60 s"
            time.sleep(0.02)
        os.killpg(run.pid, signal.SIGKILL)
        run.communicate()
        wait_for_backends_gone(conn)

        after_kill = state(conn)
        done = [s for s, (recorded, _, _) in after_kill.items() if recorded]
        assert 4 <= len(done) < len(SCHEMAS), "the kill did not land mid-run"
        half = {s: v for s, v in after_kill.items() if v not in {(True, True, True), (False,) * 3}}
        assert half == {}

        rerun = migrate(database, "--executor", "pending")
        out = rerun.communicate(timeout=120)[0]
        assert rerun.returncode == 0, out
        assert f"migrating {len(SCHEMAS) - len(done)}" in out
        assert set(state(conn).values()) == {(True, True, True)}


def test_a_failure_at_the_record_leaves_the_schema_untouched(database):  # type: ignore[no-untyped-def]
    """The window between Django's commit and its record, hit on purpose: inserting the
    record fails (a trigger). With Django's own executor (``standard``) the schema keeps the
    column and index unrecorded — the re-run would fail with "already exists"; with
    ``pending`` it is rolled back whole."""
    with psycopg.connect(f"{PG_URL}/{DB}", autocommit=True) as conn:
        undo(conn)
        conn.execute(
            "CREATE FUNCTION public.bench_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'killed at the record'; END $$"
        )
        try:
            for schema in ("bench_m0000", "bench_m0001"):
                conn.execute(
                    f"CREATE TRIGGER refuse BEFORE INSERT ON {schema}.django_migrations "
                    f"FOR EACH ROW WHEN (NEW.app = 'migrateapp') "
                    f"EXECUTE FUNCTION public.bench_refuse()"
                )
            stock = migrate(database, "--executor", "standard", "--schema", "bench_m0000")
            pending = migrate(database, "--executor", "pending", "--schema", "bench_m0001")
            for run in (stock, pending):
                out = run.communicate(timeout=120)[0]
                assert run.returncode != 0 and "killed at the record" in out, out
            after = state(conn)
            assert after["bench_m0000"] == (False, True, True)  # the hazard
            assert after["bench_m0001"] == (False, False, False)
        finally:
            conn.execute("DROP FUNCTION public.bench_refuse() CASCADE")
