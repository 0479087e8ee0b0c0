#!/usr/bin/env python
"""Migrating hundreds of county schemas: ``migrate_schemas --tenant`` at 200 and 1,000
schemas, with nothing to migrate and with one AddField pending, per executor.

    .venv/bin/python bench/migrate_scale.py [--sizes 200,1000] [--executors pending]

1. Database zhdj_bench_migrate (recreated): the public schema migrated, the template schema
   made by the application (``template_ensure``), with bench.migrateapp (one table) as an
   extra tenant app — the project's settings otherwise (bench/settings_onboard.py pointed at
   this database).
2. Schemas up to each size are made **fast and outside the figures**: the template schema is
   dumped once (``pg_dump -n``, structure and its rows: migration records, seeded data) and
   replayed under each new name by psql, 50 schemas per session; a ``Tenant`` row (status
   active, a bench-only region code) registers each. That is what ``clone_schema`` produces,
   without its per-schema catalog scans (their cost is bench/onboard.py's subject).
3. ``VACUUM ANALYZE`` of the catalogs, then per executor, each in a fresh process as an
   operator runs it: *nothing to migrate*; *one AddField pending* (bench.migrateapp 0002),
   unapplied again (untimed) before the next executor. ``pending`` is ZHDJ's executor
   (src/zhdj/tenancy/executor.py: it migrates only the schemas that miss a migration).

Anchors (django-tenants 4.0.1, a 15-model tenant app, these machines): 1,000 schemas, one
AddField: 127 s (multiprocessing) – 155 s (standard); about the same with nothing to do.
Prints a table and writes bench/results-migrate.json.
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

from bench.common import PG_URL, PYTHON, child_env, code_version, machine, recreate_database, run  # noqa: E402

DB = "zhdj_bench_migrate"
SETTINGS = "bench.settings_migrate"
RESULTS = ROOT / "bench" / "results-migrate.json"
TEMPLATE = "county_template"
# Stock django-tenants on 1,000 schemas (the anchors): standard 155 s,
# multiprocessing 127 s, "about the same with nothing to migrate". ``pending`` is compared
# with the better stock executor.
ANCHORS = {"standard": 155.0, "multiprocessing": 127.0, "pending": 127.0}


def anchor_for(row: dict[str, object]) -> float | None:
    if int(str(row["schemas"])) < 1000:
        return None
    return ANCHORS.get(str(row["executor"]))


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
    proc = run(
        cmd, env=child_env(SETTINGS, BENCH_MIGRATE_DB=DB, **extra), capture_output=True, text=True
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def columns_added() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relname = 'migrateapp_note' AND a.attname = 'body' AND NOT a.attisdropped"
        )
        return cursor.fetchone()[0]


def fill(start: int, stop: int, dump: str) -> float:
    """Schemas bench_m<start> … bench_m<stop-1> from the template dump, with Tenant rows."""
    from shared.customers.models import Tenant

    t = time.perf_counter()
    names = [f"bench_m{i:04d}" for i in range(start, stop)]
    for first in range(0, len(names), 50):
        batch = names[first : first + 50]
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
            for name in batch:
                f.write(dump.replace(TEMPLATE, name))
                f.write("\n")
        run([_pg_bin("psql"), *_psql_args(), "-q", "-v", "ON_ERROR_STOP=1", "-d", DB, "-f", f.name],
            capture_output=True)  # fmt: skip
        os.unlink(f.name)
    Tenant.objects.bulk_create(
        Tenant(schema_name=n, name=f"基准迁移县{n[-4:]}", region_code=f"99{n[-4:]}",
               status=Tenant.Status.ACTIVE)
        for n in names
    )  # fmt: skip
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="200,1000", help="county schemas (plus the template)")
    parser.add_argument("--executors", default="standard,multiprocessing,pending")
    parser.add_argument("--no-pending", action="store_true", help="skip the AddField runs")
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    executors = [e for e in args.executors.split(",") if e]
    started = time.monotonic()

    print(f"recreating database {DB} ...", flush=True)
    recreate_database(DB)
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    from bench.onboard import vacuum_catalog
    from shared.customers.services import template_ensure

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    template_ensure()
    connection.close()
    dump = subprocess.run(
        [_pg_bin("pg_dump"), *_psql_args(), "-n", TEMPLATE, "--no-owner", "--no-privileges", DB],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rows: list[dict[str, object]] = []
    present = 0
    for size in sizes:
        seconds = fill(present, size, dump)
        print(f"  {size} schemas made in {seconds:.0f} s (outside the figures)", flush=True)
        present = size
        vacuum_catalog()
        connection.close()
        schemas = size + 1  # and the template
        for executor in executors:
            res = migrate_all(executor, pending=False)
            rows.append(
                {"schemas": schemas, "case": "nothing to migrate", "executor": executor, **res}
            )
            print(
                f"  {schemas} schemas, nothing to migrate, {executor:15s} {res['seconds']:7.1f} s",
                flush=True,
            )
        if args.no_pending:
            continue
        for executor in executors:
            res = migrate_all(executor, pending=True)
            done = columns_added()
            connection.close()
            if done != schemas:
                raise SystemExit(f"{executor}: AddField applied in {done} of {schemas} schemas")
            rows.append(
                {"schemas": schemas, "case": "one AddField pending", "executor": executor, **res}
            )
            print(
                f"  {schemas} schemas, one AddField,      {executor:15s} {res['seconds']:7.1f} s",
                flush=True,
            )
            migrate_all("multiprocessing", pending=True, target="0001")  # untimed: undo it
    print()
    print("| schemas | case | executor | seconds | ms per schema | anchor (1,000) |")
    print("|---:|---|---|---:|---:|---:|")
    figures = []
    for r in rows:
        anchor = anchor_for(r)
        print(f"| {r['schemas']} | {r['case']} | {r['executor']} | {r['seconds']:.1f} "
              f"| {1000 * r['seconds'] / r['schemas']:.0f} | {anchor or ''} |")  # fmt: skip
        figures.append({
            "bench": "migrate", "value": r["seconds"], "unit": "s",
            "figure": f"migrate_schemas {r['schemas']} schemas, {r['case']}, {r['executor']}",
            "baseline": "stock django-tenants (anchor)" if anchor else "",
            "ratio": r["seconds"] / anchor if anchor else None,
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
    else:
        main()
