#!/usr/bin/env python
"""Migrating hundreds or thousands of county schemas: ``migrate_schemas --tenant`` with
nothing to migrate and with one AddField pending, per executor.

    .venv/bin/python bench/migrate_scale.py [--sizes 200,1000] [--executors pending] [--reuse]
    .venv/bin/python bench/migrate_scale.py --sizes 2844 --executors pending   # national size

1. Database zhdj_bench_migrate (recreated; ``--reuse`` keeps it and its schemas): the public
   schema migrated, the template schema made by the application (``template_ensure``), with
   bench.migrateapp (one table) as an extra tenant app — the project's settings otherwise
   (bench/settings_migrate.py pointed at this database).
2. Schemas up to each size are made **fast and outside the figures**: the template schema is
   dumped once (``pg_dump -n``, structure and its rows: migration records, seeded data) and
   replayed under each new name by psql, 50 schemas per session and transaction, two
   sessions at once; a ``Tenant`` row (status active, a bench-only region code) registers
   each. That is what ``clone_schema`` produces, without its per-schema catalog scans (their
   cost is bench/onboard.py's subject).
3. ``VACUUM ANALYZE`` of the catalogs, then per executor, each in a fresh process as an
   operator runs it: *nothing to migrate*; *one AddField pending* (bench.migrateapp 0002),
   dropped again by SQL (untimed) before the next run. ``pending`` is ZHDJ's executor
   (src/zhdj/tenancy/executor.py: it migrates only the schemas that miss a migration).
   Printed: the ``call_command`` seconds and the whole process's (start-up included).

Anchors (django-tenants 4.0.1, a 15-model tenant app, these machines): 1,000 schemas, one
AddField: 127 s (multiprocessing) – 155 s (standard); about the same with nothing to do.
Goals at 2,844 schemas (every county-level division of China; issue 18 item 4), the whole
process of the ``pending`` executor: ≤ 90 s with one AddField, ≤ 5 s with nothing to do.
Prints a table and writes bench/results-migrate.json. ``_prepare N [--reuse]`` only makes
the database (tests/zhdj/test_migrate_kill.py, with BENCH_MIGRATE_DB naming its own).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.common import (  # noqa: E402
    PG_URL,
    PYTHON,
    check_db_name,
    child_env,
    code_version,
    machine,
    recreate_database,
    run,
)

# BENCH_MIGRATE_DB: another zhdj_bench_* database (tests/zhdj/test_migrate_kill.py has its own)
DB = check_db_name(os.environ.get("BENCH_MIGRATE_DB", "zhdj_bench_migrate"))
SETTINGS = "bench.settings_migrate"
RESULTS = ROOT / "bench" / "results-migrate.json"
TEMPLATE = "county_template"
# Stock django-tenants on 1,000 schemas (the anchors): standard 155 s,
# multiprocessing 127 s, "about the same with nothing to migrate". ``pending`` is compared
# with the better stock executor.
ANCHORS = {"standard": 155.0, "multiprocessing": 127.0, "pending": 127.0}


# Issue 18 item 4: every county-level division of China (2,844) as a schema, migrated by
# ZHDJ's executor with one AddField in <= 90 s and with nothing to do in <= 5 s, the whole
# process as an operator runs it (start-up included).
NATIONAL = 2844
GOALS = {"one AddField pending": 90.0, "nothing to migrate": 5.0}


def anchor_for(row: dict[str, object]) -> float | None:
    """The stock executors' anchors were taken at 1,000 schemas: compared there only."""
    if int(str(row["schemas"])) not in {1000, 1001}:
        return None
    return ANCHORS.get(str(row["executor"]))


def goal_for(row: dict[str, object]) -> float | None:
    if int(str(row["schemas"])) < NATIONAL or row["executor"] != "pending":
        return None
    return GOALS.get(str(row["case"]))


def _pg_bin(name: str) -> str:
    out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
    path = Path(out.stdout.strip() or "/usr/lib/postgresql/15/bin") / name
    return str(path) if path.exists() else name


def _psql_args() -> list[str]:
    from urllib.parse import urlparse

    u = urlparse(PG_URL)
    return [
        "-h",
        u.hostname or "127.0.0.1",
        "-p",
        str(u.port or 5432),
        "-U",
        u.username or "postgres",
    ]


def _setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["BENCH_MIGRATE_DB"] = DB
    import django

    django.setup()


def child_migrate(executor: str, target: str | None) -> None:
    t0 = time.perf_counter()
    _setup_django()
    from django.core.management import call_command

    startup = time.perf_counter() - t0
    args = ["migrateapp", target] if target else []
    t1 = time.perf_counter()
    call_command(
        "migrate_schemas", *args, tenant=True, executor=executor, interactive=False, verbosity=0
    )
    print(json.dumps({"seconds": time.perf_counter() - t1, "startup": startup}))


def migrate_all(executor: str, *, pending: bool, target: str | None = None) -> dict[str, float]:
    extra = {"BENCH_PENDING_ADDFIELD": "1"} if pending else {}
    cmd = [
        PYTHON,
        str(Path(__file__).resolve()),
        "_migrate",
        executor,
        *([target] if target else []),
    ]
    t = time.perf_counter()
    proc = run(
        cmd, env=child_env(SETTINGS, BENCH_MIGRATE_DB=DB, **extra), capture_output=True, text=True
    )
    wall = time.perf_counter() - t
    return {**json.loads(proc.stdout.strip().splitlines()[-1]), "wall": wall}


def columns_added() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relname = 'migrateapp_note' AND a.attname = 'body' AND NOT a.attisdropped"
        )
        return cursor.fetchone()[0]


def fill(start: int, stop: int, dump: str, *, jobs: int = 2) -> float:
    """Schemas bench_m<start> … bench_m<stop-1> from the template dump, with Tenant rows.
    Up to 50 schemas per psql session (fewer when there are fewer than ``jobs`` × 50, so
    that every session has some), each session one transaction, ``jobs`` sessions at once
    (the work is PostgreSQL's: one backend per session, one per core)."""
    t = time.perf_counter()
    names = [f"bench_m{i:04d}" for i in range(start, stop)]
    size = max(1, min(50, -(-len(names) // jobs)))
    running: list[tuple[subprocess.Popen, str]] = []

    def wait_one() -> None:
        proc, path = running.pop(0)
        if proc.wait():
            raise SystemExit(f"psql failed on {path}: {proc.stderr.read() if proc.stderr else ''}")
        os.unlink(path)

    for first in range(0, len(names), size):
        batch = names[first : first + size]
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
            for name in batch:
                f.write(dump.replace(TEMPLATE, name))
                f.write("\n")
        if len(running) >= jobs:
            wait_one()
        cmd = [_pg_bin("psql"), *_psql_args(), "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", DB,
               "-f", f.name]  # fmt: skip
        running.append((subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                         text=True), f.name))  # fmt: skip
    while running:
        wait_one()
    register()
    return time.perf_counter() - t


def register() -> None:
    """A ``Tenant`` row for each bench_m schema that has none yet."""
    from shared.customers.models import Tenant

    known = set(Tenant.objects.filter(schema_name__startswith="bench_m")
                .values_list("schema_name", flat=True))  # fmt: skip
    Tenant.objects.bulk_create(
        Tenant(schema_name=n, name=f"基准迁移县{n[-4:]}", region_code=f"99{n[-4:]}",
               status=Tenant.Status.ACTIVE)
        for n in sorted(set(bench_schemas()) - known)
    )  # fmt: skip


def bench_schemas() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [r"bench\_m%"])
        return [row[0] for row in cursor.fetchall()]


def present_schemas() -> int:
    """How many bench_m schemas the database already has (``--reuse``); registers any
    left without a Tenant row by an interrupted run."""
    register()
    return len(bench_schemas())


def undo_addfield() -> int:
    """Unapply bench.migrateapp 0002 in every schema by SQL (untimed): drop the column and
    its record. Through an executor (backwards, one schema at a time) this took longer than
    the figures themselves; returns how many schemas had it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            DO $$
            DECLARE s text; n int := 0;
            BEGIN
              FOR s IN SELECT n.nspname FROM pg_attribute a
                       JOIN pg_class c ON c.oid = a.attrelid
                       JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE c.relname = 'migrateapp_note' AND a.attname = 'body'
                         AND NOT a.attisdropped
              LOOP
                EXECUTE format('ALTER TABLE %I.migrateapp_note DROP COLUMN body', s);
                EXECUTE format('DELETE FROM %I.django_migrations WHERE app = %L AND name = %L',
                               s, 'migrateapp', '0002_note_body');
                n := n + 1;
              END LOOP;
              RAISE NOTICE 'undone in % schemas', n;
            END $$
            """
        )
    return columns_added()


def prepare(size: int, *, reuse: bool = False) -> int:
    """The database with ``size`` county schemas (and the template), made outside the
    figures; with ``reuse``, an existing database's schemas are kept and only the missing
    ones made. Returns how many were there already."""
    from django.db import connection

    present = 0
    if reuse and _database_exists():
        _setup_django()
        present = present_schemas()
    else:
        print(f"recreating database {DB} ...", flush=True)
        recreate_database(DB)
        _setup_django()
        from django.core.management import call_command

        from shared.customers.services import template_ensure

        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        template_ensure()
    connection.close()
    if size > present:
        dump = subprocess.run(
            [_pg_bin("pg_dump"), *_psql_args(), "-n", TEMPLATE, "--no-owner", "--no-privileges",
             DB],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        seconds = fill(present, size, dump)
        print(f"  {size} schemas made in {seconds:.0f} s (outside the figures)", flush=True)
    return present


def _database_exists() -> bool:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="200,1000", help="county schemas (plus the template)")
    parser.add_argument("--executors", default="standard,multiprocessing,pending")
    parser.add_argument("--no-pending", action="store_true", help="skip the AddField runs")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database and its schemas from an earlier run")  # fmt: skip
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    executors = [e for e in args.executors.split(",") if e]
    started = time.monotonic()

    from django.db import connection

    rows: list[dict[str, object]] = []
    for index, size in enumerate(sizes):
        prepare(size, reuse=args.reuse or index > 0)
        from bench.onboard import vacuum_catalog

        if undo_addfield():  # a --reuse after an interrupted run
            raise SystemExit("the AddField is still applied somewhere")
        vacuum_catalog()
        connection.close()
        schemas = size + 1  # and the template
        for executor in executors:
            res = migrate_all(executor, pending=False)
            rows.append(
                {"schemas": schemas, "case": "nothing to migrate", "executor": executor, **res}
            )
            print(
                f"  {schemas} schemas, nothing to migrate, {executor:15s} {res['seconds']:7.1f} s"
                f" (start-up {res['startup']:.1f} s, process {res['wall']:.1f} s)",
                flush=True,
            )
        if args.no_pending:
            continue
        for executor in executors:
            res = migrate_all(executor, pending=True)
            done = columns_added()
            if done != schemas:
                raise SystemExit(f"{executor}: AddField applied in {done} of {schemas} schemas")
            rows.append(
                {"schemas": schemas, "case": "one AddField pending", "executor": executor, **res}
            )
            print(
                f"  {schemas} schemas, one AddField,      {executor:15s} {res['seconds']:7.1f} s"
                f" (start-up {res['startup']:.1f} s, process {res['wall']:.1f} s)",
                flush=True,
            )
            undo_addfield()  # untimed, by SQL
            connection.close()
    print()
    print("| schemas | case | executor | seconds | process (s) | ms per schema | anchor | goal |")
    print("|---:|---|---|---:|---:|---:|---:|---:|")
    figures = []
    for r in rows:
        anchor, goal = anchor_for(r), goal_for(r)
        print(f"| {r['schemas']} | {r['case']} | {r['executor']} | {r['seconds']:.1f} "
              f"| {r['wall']:.1f} | {1000 * r['seconds'] / r['schemas']:.0f} | {anchor or ''} "
              f"| {f'≤ {goal:g} s' if goal else ''} |")  # fmt: skip
        figures.append({
            "bench": "migrate", "value": r["seconds"], "unit": "s",
            "figure": f"migrate_schemas {r['schemas']} schemas, {r['case']}, {r['executor']}",
            "baseline": "stock django-tenants (anchor)" if anchor else "",
            "ratio": r["seconds"] / anchor if anchor else None,
        })  # fmt: skip
        if goal:
            figures.append({
                "bench": "migrate", "value": r["wall"], "unit": "s",
                "figure": f"migrate_schemas {r['schemas']} schemas, {r['case']}, {r['executor']},"
                          " whole process (start-up included)",
                "goal": f"<= {goal:g} s", "met": r["wall"] <= goal,
            })  # fmt: skip
    RESULTS.write_text(json.dumps({
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
        "code": code_version(("src/zhdj/tenancy", "bench/migrate_scale.py")),
        "rows": rows, "elapsed_s": time.monotonic() - started, "figures": figures,
    }, indent=1, ensure_ascii=False))  # fmt: skip
    print(f"\nresults in {RESULTS.relative_to(ROOT)} ({time.monotonic() - started:.0f} s in all)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_migrate":
        child_migrate(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif len(sys.argv) > 1 and sys.argv[1] == "_prepare":  # tests/zhdj/test_migrate_kill.py
        prepare(int(sys.argv[2]), reuse="--reuse" in sys.argv)
    else:
        main()
