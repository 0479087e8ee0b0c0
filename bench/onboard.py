#!/usr/bin/env python
"""Onboarding a district (开通区县) and migrating every tenant, timed.

    .venv/bin/python bench/onboard.py [--sizes 1,10,50] [--repeat 3] [--no-pending]

1. Seconds to onboard one district with N districts already present, for each N in
   --sizes, by cloning the template schema (method="clone") and by running the tenant
   migrations (method="migrate"): the full ``shared.customers.services.tenant_onboard``
   (validation, schema, county root organization, administrator with an Argon2 hash,
   domain). Each measurement is repeated --repeat times, clone and migrate alternating
   (the district is removed again with the service's own clean-up between runs); the
   median is printed. Before measuring at each size the system catalogs are vacuumed and
   analysed (as autovacuum would; --no-vacuum skips it). Every onboarding starts on a new
   database session, as one Celery task per job usually does; --same-session keeps a single
   session throughout (to check for the slowdown of clone_schema in a long-lived session
   described in docs/performance.md).
2. Seconds to run ``migrate_schemas --tenant`` over all tenants (the N districts plus the
   template schema) with the ``standard`` and the ``multiprocessing`` executors, when there
   is nothing to migrate and when one AddField is pending (bench.migrateapp, skipped with
   --no-pending). Each in a fresh process, as an operator would run it; the time printed is
   the call_command itself (Django start-up excluded, printed separately).

Bench-only data: region codes are validated against the standards table, which holds the
city's 12 real county codes (GB/T 2260, prefix 6108). To onboard up to 97 districts the
script inserts fictitious county codes 6108xx ("基准测试县xx") into standards_region of its
own database — never into a real one. The project's settings are used unchanged, plus one
tiny bench tenant app (bench.migrateapp, one table) that carries the pending AddField.

Database zhdj_bench_onboard is dropped and recreated; Redis DB 9 is used (only its own cache
keys are deleted).
Prints a table and writes bench/results-onboard.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.common import (  # noqa: E402
    BASE_DOMAIN,
    DB_ONBOARD,
    PYTHON,
    child_env,
    code_version,
    flush_redis,
    machine,
    machine_line,
    recreate_database,
    run,
)

SETTINGS = "bench.settings_onboard"
RESULTS = ROOT / "bench" / "results-onboard.json"
PASSWORD = "Bench-Only-Passw0rd!"
MAX_DISTRICTS = 97  # 610801..610899 minus the one reserved for the measured district


def _setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django

    django.setup()


# ------------------------------------------------------------------------------
# Child process: one migrate_schemas run
# ------------------------------------------------------------------------------
def child_migrate(executor: str, target: str | None) -> None:
    t0 = time.perf_counter()
    _setup_django()
    from django.core.management import call_command

    from shared.customers.models import Tenant

    startup = time.perf_counter() - t0
    schemas = Tenant.objects.exclude(schema_name="public").count()
    args = ["migrateapp", target] if target else []
    t1 = time.perf_counter()
    call_command(
        "migrate_schemas", *args, tenant=True, executor=executor, interactive=False, verbosity=0
    )
    seconds = time.perf_counter() - t1
    print(json.dumps({"seconds": seconds, "startup": startup, "schemas": schemas}))


def migrate_all(executor: str, *, pending: bool, target: str | None = None) -> dict[str, float]:
    extra = {"BENCH_PENDING_ADDFIELD": "1"} if pending else {}
    cmd = [PYTHON, str(Path(__file__).resolve()), "_migrate", executor]
    if target:
        cmd.append(target)
    proc = run(cmd, env=child_env(SETTINGS, **extra), capture_output=True, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def applied_0002() -> int:
    """How many schemas have bench.migrateapp's pending AddField applied."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'migrateapp_note' AND column_name = 'body'"
        )
        return cursor.fetchone()[0]


# ------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------
def seed_bench_regions() -> list[str]:
    """County codes usable by the bench: the real ones plus fictitious 6108xx (bench DB only)."""
    from django.conf import settings

    from shared.standards.models import Region

    prefix = settings.ZHDJ_CITY_REGION_PREFIX
    existing = set(Region.objects.values_list("code", flat=True))
    Region.objects.bulk_create(
        Region(code=f"{prefix}{i:02d}", name=f"基准测试县{i:02d}", level=Region.Level.COUNTY)
        for i in range(1, 100)
        if f"{prefix}{i:02d}" not in existing
    )
    return list(
        Region.objects.filter(level=Region.Level.COUNTY, code__startswith=prefix)
        .exclude(code__endswith="00")
        .order_by("code")
        .values_list("code", flat=True)
    )


CATALOG = (
    "pg_class",
    "pg_attribute",
    "pg_attrdef",
    "pg_depend",
    "pg_shdepend",
    "pg_type",
    "pg_constraint",
    "pg_index",
    "pg_trigger",
    "pg_proc",
    "pg_namespace",
    "pg_sequence",
    "pg_description",
)


def vacuum_catalog() -> None:
    """VACUUM ANALYZE the system catalogs, as autovacuum eventually does: creating (and, here,
    dropping) schemas leaves many dead catalog rows, and measuring right after a burst of
    them measured the burst's bloat more than the steady state."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE " + ", ".join(f"pg_catalog.{t}" for t in CATALOG))


def request_for(label: str, code: str, name: str):
    from shared.customers.services import OnboardingRequest

    return OnboardingRequest(
        name=name,
        region_code=code,
        schema_name=f"bench_{label}",
        domain=f"bench-{label}.{BASE_DOMAIN}".replace("_", "-"),
        admin_username=f"admin_{label}",
        admin_full_name="基准 管理员",
        admin_password=PASSWORD,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1,10,50", help="districts already present")
    parser.add_argument("--repeat", type=int, default=3, help="onboardings per method and size")
    parser.add_argument(
        "--migrate-runs", type=int, default=1, help="runs per executor, nothing to migrate"
    )
    parser.add_argument("--no-pending", action="store_true", help="skip the pending-AddField runs")
    parser.add_argument(
        "--no-vacuum",
        action="store_true",
        help="do not VACUUM ANALYZE the system catalogs before measuring at each size",
    )
    parser.add_argument(
        "--same-session",
        action="store_true",
        help="onboard every district on one database session (see docs/performance.md)",
    )
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not sizes or sizes[0] < 0 or sizes[-1] > MAX_DISTRICTS:
        raise SystemExit(f"--sizes must be between 0 and {MAX_DISTRICTS}")
    started = time.monotonic()
    loadavg_start = Path("/proc/loadavg").read_text().split()[:3]

    print(
        f"recreating database {DB_ONBOARD}, clearing its cache keys in Redis DB 9 ...", flush=True
    )
    recreate_database(DB_ONBOARD)
    flush_redis()
    _setup_django()
    from django.core.management import call_command

    from shared.customers.models import Tenant
    from shared.customers.services import _discard, template_ensure, tenant_onboard

    t = time.perf_counter()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    public_s = time.perf_counter() - t
    codes = seed_bench_regions()
    measure_code, fill_codes = codes[-1], codes[:-1]
    t = time.perf_counter()
    template_ensure()
    template_s = time.perf_counter() - t
    print(
        f"  public schema migrated in {public_s:.2f} s; template schema in {template_s:.2f} s; "
        f"{len(codes)} county codes available ({len(codes) - 12} fictitious, bench only)",
        flush=True,
    )

    from django.db import connection

    def session() -> None:
        # One onboarding per database session, as one Celery task per job gets (sessions
        # live at most CONN_MAX_AGE=60 s). --same-session keeps one session throughout
        # (docs/performance.md: clone_schema was seen slowing down in a long-lived session).
        if not args.same_session:
            connection.close()

    onboarding: list[dict[str, object]] = []
    fill_times: list[float] = []
    present = 0
    for size in sizes:
        while present < size:
            code = fill_codes[present]
            session()
            t = time.perf_counter()
            tenant_onboard(
                request_for(f"{present + 1:02d}", code, f"基准县{present + 1:02d}"), method="clone"
            )
            fill_times.append(time.perf_counter() - t)
            present += 1
        if not args.no_vacuum:
            vacuum_catalog()
        row: dict[str, object] = {"present": present}
        samples: dict[str, list[float]] = {"clone": [], "migrate": []}
        for rep in range(args.repeat):
            for method in ("clone", "migrate") if rep % 2 == 0 else ("migrate", "clone"):
                req = request_for("measure", measure_code, "基准测量县")
                session()
                t = time.perf_counter()
                result = tenant_onboard(req, method=method)
                samples[method].append(time.perf_counter() - t)
                assert result.created and result.method == method, result
                _discard(Tenant.objects.get(schema_name=req.schema_name))
        for method, values in samples.items():
            row[method] = statistics.median(values)
            row[f"{method}_samples"] = [round(v, 3) for v in values]
        row["migrate_over_clone"] = row["migrate"] / row["clone"]
        onboarding.append(row)
        print(
            f"  {present:3d} present: clone {row['clone']:.3f} s, migrate {row['migrate']:.3f} s "
            f"(median of {args.repeat})",
            flush=True,
        )

    connection.close()
    schemas = Tenant.objects.exclude(schema_name="public").count()
    migrations: list[dict[str, object]] = []

    def record(case: str, executor: str, res: dict[str, float]) -> None:
        migrations.append(
            {
                "case": case,
                "executor": executor,
                "seconds": res["seconds"],
                "startup": res["startup"],
                "schemas": res["schemas"],
            }
        )
        print(
            f"  migrate_schemas --tenant --executor={executor:15s} {case:24s} "
            f"{res['seconds']:6.2f} s ({res['schemas']} schemas)",
            flush=True,
        )

    # Nothing to migrate: the executors alternate --migrate-runs times; the best is kept.
    for _ in range(args.migrate_runs):
        for executor in ("standard", "multiprocessing"):
            record("nothing to migrate", executor, migrate_all(executor, pending=False))
    if not args.no_pending:
        for executor in ("standard", "multiprocessing"):
            res = migrate_all(executor, pending=True)
            if applied_0002() != schemas:
                raise SystemExit(f"AddField applied to {applied_0002()} of {schemas} schemas")
            record("one AddField pending", executor, res)
            if executor == "standard":
                # Unapply it again (untimed) so that the next executor has the same work.
                migrate_all("multiprocessing", pending=True, target="0001")
                if applied_0002() != 0:
                    raise SystemExit("could not unapply the bench AddField")

    def best(case: str, executor: str) -> float:
        return min(
            m["seconds"] for m in migrations if m["case"] == case and m["executor"] == executor
        )

    info = machine()
    info["loadavg_at_start"] = loadavg_start
    info["loadavg_at_end"] = Path("/proc/loadavg").read_text().split()[:3]
    elapsed = time.monotonic() - started
    from django.conf import settings

    print()
    print(
        machine_line(info) + "; load average "
        f"{' '.join(loadavg_start)} at start, {' '.join(info['loadavg_at_end'])} at end"
    )
    print(
        f"Tenant apps: {len(settings.TENANT_APPS)} (the project's + bench.migrateapp); "
        f"template schema {settings.ZHDJ_TEMPLATE_SCHEMA}; "
        f"TENANT_MULTIPROCESSING_MAX_PROCESSES={settings.TENANT_MULTIPROCESSING_MAX_PROCESSES}"
    )
    code = code_version(("shared/customers/services.py", "src/zhdj/settings/base.py"))
    edited = [p for p, f in code["files"].items() if f["modified"]]
    print(
        f"Application code: git HEAD {code['head']}"
        + (f", with uncommitted changes in {', '.join(edited)}" if edited else ", unmodified")
    )
    print()
    print(
        f"Onboarding one district (tenant_onboard, end to end), seconds, median of {args.repeat}, "
        + ("all on one database session:" if args.same_session else "each on a new session:")
    )
    print("| districts present | clone (s) | migrate (s) | migrate / clone |")
    print("|------------------:|----------:|------------:|----------------:|")
    for row in onboarding:
        print(
            f"| {row['present']:17d} | {row['clone']:9.3f} | {row['migrate']:11.3f} | "
            f"{row['migrate_over_clone']:14.2f}x |"
        )
    if fill_times:
        print(
            f"(filling: {len(fill_times)} districts onboarded by clone, mean "
            f"{statistics.mean(fill_times):.3f} s, max {max(fill_times):.3f} s)"
        )
    print()
    print(
        f"migrate_schemas --tenant over all {schemas} tenant schemas ({present} districts + "
        "template), seconds (call_command only; best of runs):"
    )
    print("| case                   | standard (s) | multiprocessing (s) | speed-up |")
    print("|------------------------|-------------:|--------------------:|---------:|")
    summary = []
    for case in ("nothing to migrate", "one AddField pending"):
        if not any(m["case"] == case for m in migrations):
            continue
        std, mp = best(case, "standard"), best(case, "multiprocessing")
        summary.append({"case": case, "standard": std, "multiprocessing": mp, "speedup": std / mp})
        print(f"| {case:22s} | {std:12.2f} | {mp:19.2f} | {std / mp:7.2f}x |")
    startup = statistics.median(m["startup"] for m in migrations)
    print(f"(plus about {startup:.1f} s of Django start-up per manage.py run)")
    print(f"\ntotal time {elapsed:.0f} s; results in {RESULTS.name}")

    RESULTS.write_text(
        json.dumps(
            {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": info,
                "code": code,
                "sizes": sizes,
                "repeat": args.repeat,
                "same_session": args.same_session,
                "vacuum_catalog": not args.no_vacuum,
                "public_migrate_s": public_s,
                "template_ensure_s": template_s,
                "onboarding": onboarding,
                "fill_seconds": fill_times,
                "migrate_schemas_runs": migrations,
                "migrate_schemas": summary,
                "schemas": schemas,
                "elapsed_s": round(elapsed, 1),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_migrate":
        child_migrate(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        main()
