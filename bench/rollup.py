#!/usr/bin/env python
"""City dashboard rollup benchmark: 12 counties x 40,000 members (bench/generator.py).

    .venv/bin/python bench/rollup.py [--reuse] [--counties 12] [--members 40000] [--rounds 3]

Prints (best of --rounds, on database zhdj_bench_rollup):

1. **full rollup**, two ways: as the periodic job runs it, ``rollup_city_task`` sent to a
   real Celery worker (``-P prefork -c <cores>``, started here on the bench settings and
   warmed by one run): one task per county side by side, timed from sending to the end of
   the closing task (``rollup_city_done``: push and pruning); and in one process,
   ``shared.rollups.services.rollup_city`` walking the counties (what the demo and the
   commands run). Either way every active county is collected through the metric registry
   (one aggregate query over members grouped per organization, the other metrics, the
   organization directory) and upserted into the public tables. The rounds interleave the
   two with the hand-written SQL below, so each round's ratio compares figures taken
   minutes apart at most (these machines' speed drifts: docs/performance.md §0c); the
   ratio printed is the median of the rounds' ratios, with their range;
2. **refresh after one change**: one member's record changed (through
   ``member_update``), then the county's refresh job ``rollup_tenant`` (what the
   debounced task runs);
3. **dashboard server time**: ``GET /dashboard/`` and ``/dashboard/data.json`` for a city user
   (``django.test.Client``, the project's middleware and URLs, DEBUG off);
4. **hand-written SQL**: one ``UNION ALL`` statement over the counties' schemas computing
   the member figures the rollup stores — every cell (``count(*) FILTER (WHERE …)``) for
   each organization (``GROUP BY org_id``; the county's are their sums) — plus
   organizations by type, and the **ratio** of the full rollup to it (goal: within 2x).
   The rollup does more than this statement (the directory, development, dues and
   transfer figures, the store), so the ratio is, if anything, against it. For reference
   it also prints the ratios of the one-process rollup and to the county-level cells
   alone (one row per county).

Writes bench/results-rollup.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.common import (  # noqa: E402
    PYTHON,
    check_db_name,
    child_env,
    code_version,
    machine,
    machine_line,
)
from bench.generator import OUT, build_city, save_city, setup_django  # noqa: E402

RESULTS = ROOT / "bench" / "results-rollup.json"
GOAL_RATIO = 2.0


def reusable(db: str, counties: int, members: int, seed: int) -> dict[str, Any] | None:
    path = OUT / f"city-{db}.json"
    if not path.exists():
        return None
    city = json.loads(path.read_text())
    if (
        city.get("members_per_county") != members
        or city.get("seed") != seed
        or len(city.get("counties", [])) != counties
    ):
        return None
    setup_django(db)
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT count(*) FROM "{city["counties"][-1]["schema"]}".members_member'
            )
            if cursor.fetchone()[0] != members:
                return None
    except Exception as exc:
        print(f"  (cannot reuse {db}: {type(exc).__name__}: {exc})")
        return None
    return city


def hand_sql(schemas: list[str], *, per_org: bool) -> str:
    """The member cells of tenants/members/metrics.py and organizations by type, written by
    hand. ``per_org``: for every organization (``GROUP BY org_id``; a county's figures are
    the sums of its rows), the figures the rollup stores; else for the county only (one
    row per county). ``GROUP BY ROLLUP (org_id)`` would give both in SQL but was slower
    here (1.5 s against 0.85 s: it sorts), so the faster form is the baseline."""
    from django.utils import timezone

    from shared.standards.models import CodeTable
    from shared.standards.selectors import codes, codes_flagged

    today = timezone.localdate()
    on_roll = ",".join(f"'{c}'" for c in codes_flagged(CodeTable.PARTY_STATUS, "on_roll"))
    minority = ",".join(f"'{c}'" for c in codes_flagged(CodeTable.ETHNICITY, "minority"))
    college = ",".join(f"'{c}'" for c in codes_flagged(CodeTable.EDUCATION, "college_or_above"))
    cells = [
        "sex = 'male'",
        "sex = 'female'",
        "category_code <> 'probationary'",
        "category_code = 'probationary'",
        f"ethnicity_code IN ({minority})",
        f"education_code IN ({college})",
        "party_status_code = 'suspended'",
        "flowing",
        "lost_contact",
        # the profile items of tenants/members/completeness.py, one cell each
        "education_code <> ''",
        "occupation_code <> ''",
        "job_title <> ''",
        "phone_index IS NOT NULL",
        "length(address) > 0",
        "fam.member_id IS NOT NULL",  # has a family record (the join below)
    ]
    for _, extra in codes(CodeTable.AGE_BAND).values_list("code", "extra"):
        low, high = extra.get("min"), extra.get("max")
        q = []
        if low:
            q.append(f"birth_date <= '{today.replace(year=today.year - low)}'")
        if high is not None:
            q.append(f"birth_date > '{today.replace(year=today.year - high - 1)}'")
        cells.append(" AND ".join(q) or "true")
    for _, extra in codes(CodeTable.JOINING_PERIOD).values_list("code", "extra"):
        q = []
        if extra.get("from"):
            q.append(f"joined_at >= '{extra['from']}'")
        if extra.get("to"):
            q.append(f"joined_at <= '{extra['to']}'")
        cells.append(" AND ".join(q) or "true")
    entries = list(codes(CodeTable.EDUCATION).values_list("code", "parent_code"))
    for code, parent in entries:
        if not parent:
            members_of = [c for c, p in entries if (p or c) == code]
            cells.append("education_code IN (" + ",".join(f"'{c}'" for c in members_of) + ")")
    for code in codes(CodeTable.OCCUPATION).values_list("code", flat=True):
        cells.append(f"occupation_code = '{code}'")
    columns = ", ".join(["count(*)"] + [f"count(*) FILTER (WHERE {c})" for c in cells])
    parts = []
    org, group = ("org_id", " GROUP BY org_id") if per_org else ("NULL::bigint", "")
    for s in schemas:
        parts.append(
            f"SELECT '{s}' AS county, 'm' AS kind, {org} AS org, NULL AS type_code, {columns} "
            f'FROM "{s}".members_member LEFT JOIN (SELECT DISTINCT member_id FROM '
            f'"{s}".members_familyrecord) fam ON fam.member_id = "{s}".members_member.id '
            f"WHERE party_status_code IN ({on_roll}){group}"
        )
        nulls = ", ".join(["count(*)"] + ["NULL::bigint"] * len(cells))
        parts.append(
            f"SELECT '{s}', 'o', NULL::bigint, type_code, {nulls} FROM \"{s}\".orgs_organization "
            "WHERE is_active GROUP BY type_code"
        )
    return "\nUNION ALL\n".join(parts)


def start_worker(db: str, processes: int) -> subprocess.Popen:  # type: ignore[type-arg]
    """A Celery worker on the bench settings and database, as deployments run it."""
    from zhdj.celery import app

    app.control.purge()  # nothing left over from an earlier run on the bench broker
    log = OUT / "rollup-worker.log"
    OUT.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "zhdj", "worker", "-P", "prefork", "-c", str(processes),
         "-l", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=child_env("bench.settings_members", BENCH_MEMBERS_DB=db),
        stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the Celery worker exited; see {log}")
        if app.control.ping(timeout=0.5):
            return proc
    stop_worker(proc)
    raise SystemExit(f"the Celery worker did not answer; see {log}")


def stop_worker(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def fanned_out_run() -> dict[str, Any]:
    """One periodic run through the worker: send, then wait for its closing task."""
    from celery.result import AsyncResult

    from shared.rollups.tasks import rollup_city_task

    sent = rollup_city_task.delay().get(timeout=300)
    summary = AsyncResult(sent["done"]).get(timeout=600)
    if summary["failed"] or summary["stored"] != sent["counties"]:
        raise SystemExit(f"the fanned-out rollup did not store every county: {summary}")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--counties", type=int, default=12)
    parser.add_argument("--members", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", default="zhdj_bench_rollup")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="keep a generated database")
    args = parser.parse_args()
    check_db_name(args.db)

    city = reusable(args.db, args.counties, args.members, args.seed) if args.reuse else None
    if city is None:
        print(f"generating {args.counties} x {args.members:,d} members in {args.db} ...")
        city = build_city(
            db=args.db,
            counties=args.counties,
            members=args.members,
            seed=args.seed,
            workers=args.workers,
        )
        save_city(city)
    else:
        print(f"reusing {args.db}")

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from shared.accounts.models import User
    from shared.accounts.services import user_create
    from shared.customers.models import Tenant
    from shared.rollups.services import rollup_city, rollup_tenant
    from tenants.access.scope import scope_for
    from tenants.members.models import Member
    from tenants.members.services import member_update
    from tenants.members.validation import MemberData
    from tests.support.otp import login as otp_login
    from tests.support.otp import seed_device

    schemas = [c["schema"] for c in city["counties"]]
    connection.set_schema_to_public()
    rollup_city()  # warm-up (and the first rollup of every county)

    def sql_runner(sql: str):  # type: ignore[no-untyped-def]
        def run_sql() -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                cursor.fetchall()

        return run_sql

    run_hand = sql_runner(hand_sql(schemas, per_org=True))
    run_county_only = sql_runner(hand_sql(schemas, per_org=False))
    processes = len(os.sched_getaffinity(0))
    worker = start_worker(args.db, processes)
    try:
        fanned_out_run()  # warm-up: the worker processes' connections and imports
        run_hand()
        fanned_all, full_all, hand_all, county_only_all = [], [], [], []
        for _ in range(args.rounds):  # interleaved: each round's figures minutes apart
            for runner, times in (
                (fanned_out_run, fanned_all),
                (run_hand, hand_all),
                (rollup_city, full_all),
                (run_county_only, county_only_all),
            ):
                connection.set_schema_to_public()
                t = time.perf_counter()
                runner()
                times.append(time.perf_counter() - t)
    finally:
        stop_worker(worker)
    connection.set_schema_to_public()
    fanned, full, hand, county_only = (
        min(x) for x in (fanned_all, full_all, hand_all, county_only_all)
    )
    round_ratios = [f / h for f, h in zip(fanned_all, hand_all, strict=True)]
    in_process_ratios = [f / h for f, h in zip(full_all, hand_all, strict=True)]

    # Refresh after one change: a member's job title edited through the service.
    tenant = Tenant.objects.get(schema_name=schemas[0])
    refresh_times = []
    for i in range(args.rounds):
        with schema_context(tenant.schema_name):
            member = Member.objects.select_related("org").order_by("id").first()
            admin = User.objects.filter(role=User.Role.COUNTY_ADMIN).first()
            fields = {
                f: getattr(member, f) for f in MemberData.__dataclass_fields__ if hasattr(member, f)
            }
            fields["job_title"] = f"基准测试岗位{i}"
            member_update(scope=scope_for(admin), member=member, data=MemberData(**fields))
        connection.set_schema_to_public()
        t = time.perf_counter()
        rollup_tenant(tenant=tenant)
        refresh_times.append(time.perf_counter() - t)
    refresh = min(refresh_times)

    # Dashboard server time for a city user.
    connection.set_schema_to_public()
    if not User.objects.filter(username="bench_city").exists():
        user_create(
            username="bench_city",
            full_name="基准市委用户",
            password="Bench-Only-Passw0rd!",
            role=User.Role.CITY,
        )
    seed_device(User.objects.get(username="bench_city"))  # 动态口令, a known secret
    client = Client(HTTP_HOST=settings.ZHDJ_CITY_HOST)
    otp_login(client, settings.ZHDJ_CITY_HOST, "bench_city", "Bench-Only-Passw0rd!")
    page_times, data_times = [], []
    for _ in range(max(5, args.rounds)):
        t = time.perf_counter()
        assert client.get("/dashboard/").status_code == 200
        page_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        assert client.get("/dashboard/data.json").status_code == 200
        data_times.append(time.perf_counter() - t)

    ratio = statistics.median(round_ratios)
    ratio_in_process = statistics.median(in_process_ratios)
    ratio_county = fanned / county_only if county_only else float("inf")
    spread = f"rounds {min(round_ratios):.2f}–{max(round_ratios):.2f}"
    rows = [
        (f"full rollup, Celery fan-out ({processes} worker processes)", fanned * 1000, "ms", ""),
        ("full rollup, one process", full * 1000, "ms", ""),
        ("hand-written SQL, same figures (per organization)", hand * 1000, "ms", ""),
        ("ratio full rollup (fan-out) / hand SQL", ratio, "x", f"<= {GOAL_RATIO} ({spread})"),
        ("ratio full rollup (one process) / hand SQL", ratio_in_process, "x", "(reference)"),
        ("hand-written SQL, county cells only", county_only * 1000, "ms", ""),
        ("ratio full rollup (fan-out) / county-only SQL", ratio_county, "x", "(reference)"),
        ("refresh of one county after one change", refresh * 1000, "ms", ""),
        ("dashboard page (server)", min(page_times) * 1000, "ms", ""),
        ("dashboard data.json (server)", min(data_times) * 1000, "ms", ""),
    ]
    info = machine()
    print()
    print(machine_line(info))
    print(
        f"{len(schemas)} counties x {args.members:,d} members ({len(schemas) * args.members:,d}), "
        f"{city.get('organizations', 0):,d} organizations; best of {args.rounds} interleaved "
        "rounds; ratios: median of the rounds'"
    )
    print()
    print("| figure | value | unit | goal |")
    print("|---|---:|---|---|")
    for name, value, unit, goal in rows:
        print(f"| {name} | {value:,.1f} | {unit} | {goal} |")
    result = {
        "when": datetime.now(UTC).isoformat(),
        "db": args.db,
        "counties": len(schemas),
        "members_per_county": args.members,
        "organizations": city.get("organizations"),
        "full_rollup_fan_out_ms": [round(t * 1000, 1) for t in fanned_all],
        "worker_processes": processes,
        "full_rollup_ms": [round(t * 1000, 1) for t in full_all],
        "hand_sql_ms": [round(t * 1000, 1) for t in hand_all],
        "ratio": round(ratio, 2),
        "ratio_rounds": [round(r, 2) for r in round_ratios],
        "ratio_in_process": round(ratio_in_process, 2),
        "ratio_in_process_rounds": [round(r, 2) for r in in_process_ratios],
        "county_only_sql_ms": [round(t * 1000, 1) for t in county_only_all],
        "ratio_county_only": round(ratio_county, 2),
        "goal_ratio": GOAL_RATIO,
        "refresh_ms": [round(t * 1000, 1) for t in refresh_times],
        "dashboard_page_ms": [round(t * 1000, 1) for t in page_times],
        "dashboard_data_ms": [round(t * 1000, 1) for t in data_times],
        "median_full_ms": round(statistics.median(full_all) * 1000, 1),
        "median_fan_out_ms": round(statistics.median(fanned_all) * 1000, 1),
        "machine": info,
        "code": code_version(
            ("shared/rollups", "tenants/members/metrics.py", "tenants/orgs/metrics.py")
        ),
    }
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
