#!/usr/bin/env python
"""Load test with locust: members and branch secretaries of three counties at a fixed
concurrency against the production stack on loopback (nginx → gunicorn, bench/stack.py),
and the cost of tenant routing as a ratio.

    .venv/bin/python bench/load.py [--reuse] [--users 24] [--duration 30] [--rounds 2]

1. A synthetic city (bench/generator.py): ``--counties`` counties of ``--members`` members in
   ``--db`` (zhdj_bench_load), reused with ``--reuse`` when it matches.
2. Logins: in each county, ``--secretaries`` secretaries of branches (members holding the
   书记 post of a 党支部) and ``--member-logins`` ordinary members get an account and a
   signed-in session (a ``django_session`` row of their county, as the login form makes
   it; the login form itself is tested elsewhere and would only measure Argon2 here).
3. the production stack (nginx with the production site → gunicorn with
   deploy/gunicorn.conf.py, daphne for /ws/) with the project's settings on that
   database (bench/settings_members.py), DEBUG off, persistent connections.
4. locust, headless (bench/locustfile.py: members 3 : secretaries 1, no think time), for
   ``--warmup`` s unmeasured and then ``--duration`` s measured, in three configurations,
   interleaved for ``--rounds`` rounds:

   * **mixed**: users of all counties on their own hosts (tenant routing switches schemas
     between requests on the same connections);
   * **routed**: users of the first county only, tenant routing on;
   * **bypass**: the same users and stack, ``TenantRoutingMiddleware`` replaced by a
     middleware that serves that one county without any host lookup
     (bench/settings_load_bypass.py) — the baseline.

The rounds run the configurations in turn, A B C then C B A …. Then ``--paired-rounds``
rounds run *routed* and *bypass* at the same time (two stacks, half the users
each: ``measure_paired``), so that both see the same machine. Prints p50 / p95 / p99, req/s
and the error rate of each configuration (best round by req/s), and the routing cost as
*routed / bypass* throughput: the median of the rounds' ratios, and the median of the
pairs' ratios, which the goal (within 5 %) is judged on. Results go to
bench/results-load.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.common import (  # noqa: E402
    check_db_name,
    code_version,
    machine,
)
from bench.generator import OUT, build_city, save_city, setup_django  # noqa: E402
from bench.members import reusable  # noqa: E402
from bench.routing import CpuWatch, wait_quiet  # noqa: E402
from bench.stack import Stack  # noqa: E402

SETTINGS = "bench.settings_members"
BYPASS = "bench.settings_load_bypass"
PASSWORD = "Bench-Load-Passw0rd!"
RESULTS = ROOT / "bench" / "results-load.json"


# ------------------------------------------------------------------------------
# Accounts
# ------------------------------------------------------------------------------
def city_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the city and its accounts (this script and bench/serving.py)."""
    parser.add_argument("--db", default="zhdj_bench_load")
    parser.add_argument("--counties", type=int, default=3)
    parser.add_argument("--members", type=int, default=10_000, help="members per county")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--secretaries", type=int, default=10, help="secretary logins per county")
    parser.add_argument("--member-logins", type=int, default=30, help="member logins per county")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))


def city_and_users(
    db: str, args: argparse.Namespace
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The city (reused with ``--reuse`` when it matches, else generated) and its accounts."""
    city = reusable(db, args.members, args.seed) if args.reuse else None
    if city is None or len([c for c in city["counties"] if c["members"]]) != args.counties:
        city = build_city(db=db, counties=args.counties, members=args.members, seed=args.seed,
                          workers=args.workers, progress=False)  # fmt: skip
        save_city(city)
    setup_django(db)
    return city, prepare_users(city, args.secretaries, args.member_logins)


def prepare_users(city: dict[str, Any], secretaries: int, members: int) -> list[dict[str, Any]]:
    """Accounts for branch secretaries and members of every county (idempotent)."""
    from django.contrib.auth.hashers import make_password
    from django_tenants.utils import schema_context

    from shared.accounts.models import User
    from tenants.access.models import Post
    from tenants.members.models import Member

    hashed = make_password(PASSWORD)
    users: list[dict[str, Any]] = []
    for county in city["counties"]:
        if not county["members"]:
            continue
        with schema_context(county["schema"]):
            posts = (
                Post.objects.filter(post_code="secretary", org__type_code="branch")
                .select_related("member", "org")
                .order_by("id")[:secretaries]
            )
            for i, post in enumerate(posts):
                account = _account(
                    User, Member, post.member, f"load_sec{i}", User.Role.ORG_STAFF, hashed
                )
                branch_members = list(
                    Member.objects.filter(org=post.org)
                    .order_by("id")
                    .values_list("id", flat=True)[:20]
                )
                users.append(
                    {"kind": "secretary", "host": county["host"], **account,
                     "branch": post.org_id, "members": branch_members}
                )  # fmt: skip
            plain = Member.objects.filter(posts__isnull=True).order_by("id")[:members]
            for i, member in enumerate(plain):
                account = _account(
                    User, Member, member, f"load_member{i}", User.Role.MEMBER, hashed
                )
                # "member": their record's page (/members/me/ only redirects there).
                users.append(
                    {"kind": "member", "host": county["host"], "member": member.pk, **account}
                )
    return users


def _account(User, Member, member, username: str, role: str, hashed: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The account of ``member`` and a fresh signed-in session of it (what the login form
    makes; logging 120 users in through Argon2 would only measure the hasher)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    user, _ = User.objects.get_or_create(
        username=username, defaults={"full_name": member.name, "role": role, "password": hashed}
    )
    if user.password != hashed:
        User.objects.filter(pk=user.pk).update(password=hashed)
        user.refresh_from_db()
    if member.user_id != user.pk:
        Member.objects.filter(user=user).exclude(pk=member.pk).update(user=None)
        Member.objects.filter(pk=member.pk).update(user=user)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"username": username, "session": session.session_key, "password": PASSWORD}


# ------------------------------------------------------------------------------
# locust
# ------------------------------------------------------------------------------
def locust(port: int, users_file: Path, users: int, seconds: int, prefix: Path) -> dict[str, Any]:
    cmd = [str(ROOT / ".venv" / "bin" / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"),
           "--headless", "-u", str(users), "-r", str(users), "--run-time", f"{seconds}s",
           "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
           "--reset-stats", "--loglevel", "WARNING", "--stop-timeout", "5"]  # fmt: skip
    env = dict(os.environ, LOAD_USERS=str(users_file))
    proc = subprocess.run(
        cmd, cwd=ROOT, env=env, check=False, capture_output=True, text=True, timeout=seconds + 180
    )
    Path(f"{prefix}.log").write_text(proc.stdout + proc.stderr)
    return read_stats(Path(f"{prefix}_stats.csv"))


def read_stats(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    total = rows.get("Aggregated")
    if total is None or not int(total["Request Count"]):
        log = path.with_name(path.name.removesuffix("_stats.csv") + ".log")
        raise SystemExit(f"locust made no request ({log}):\n{log.read_text()[-2000:]}")
    count, failures = int(total["Request Count"]), int(total["Failure Count"])
    return {
        "requests": count,
        "failures": failures,
        "error_rate": failures / count,
        "rps": float(total["Requests/s"]),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "by_name": {
            name: {
                "requests": int(r["Request Count"]),
                "p50_ms": float(r["50%"]),
                "p95_ms": float(r["95%"]),
            }
            for name, r in rows.items()
            if name != "Aggregated"
        },
    }


# ------------------------------------------------------------------------------
# The run
# ------------------------------------------------------------------------------
def measure(
    config: str, db: str, users_file: Path, first: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    extra = {"BENCH_FIXED_SCHEMA": first["schema"]} if config == "bypass" else {}
    server = Stack(BYPASS if config == "bypass" else SETTINGS, BENCH_MEMBERS_DB=db, **extra)
    try:
        server.wait_ready(first["host"])
        prefix = OUT / f"locust-{config}"
        # Warm-up, discarded: caches and connections fill.
        locust(server.port, users_file, args.users, args.warmup, prefix)
        waited = wait_quiet(server.pids(), 0.25, args.quiet_wait)
        watch = CpuWatch(server.pids())
        stats = locust(server.port, users_file, args.users, args.duration, prefix)
        stats["other_cores"] = round(watch.other_cores(), 2)
        stats["quiet_wait_s"] = round(waited, 1)
        return stats
    finally:
        server.stop()


def measure_paired(
    db: str, users_file: Path, first: dict[str, Any], args: argparse.Namespace, flip: bool
) -> dict[str, dict[str, Any]]:
    """*routed* and *bypass* at the same time: two stacks, each driven by its own
    locust with half the users, warmed up and measured in the same seconds. Both see the
    same machine, so their throughput ratio is free of the drift in speed that separates
    runs minutes apart (on this 2-core machine, up to ±15 % between rounds)."""
    from concurrent.futures import ThreadPoolExecutor

    names = ["bypass", "routed"] if flip else ["routed", "bypass"]
    servers: dict[str, Stack] = {}
    try:
        for name in names:  # started one after the other; measured together
            extra = {"BENCH_FIXED_SCHEMA": first["schema"]} if name == "bypass" else {}
            servers[name] = Stack(
                BYPASS if name == "bypass" else SETTINGS, BENCH_MEMBERS_DB=db, **extra
            )
        for server in servers.values():
            server.wait_ready(first["host"])
        half = max(1, args.users // 2)

        def both(seconds: int) -> dict[str, dict[str, Any]]:
            with ThreadPoolExecutor(2) as pool:
                futures = {
                    name: pool.submit(
                        locust, server.port, users_file, half, seconds, OUT / f"locust-pair-{name}"
                    )
                    for name, server in servers.items()
                }
                return {name: f.result() for name, f in futures.items()}

        both(args.warmup)  # discarded: caches and connections fill
        pids = [pid for s in servers.values() for pid in s.pids()]
        wait_quiet(pids, 0.25, args.quiet_wait)
        watch = CpuWatch(pids)
        stats = both(args.duration)
        for one in stats.values():
            one["other_cores"] = round(watch.other_cores(), 2)
        return stats
    finally:
        for server in servers.values():
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    city_arguments(parser)
    parser.add_argument("--users", type=int, default=24, help="concurrent locust users")
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quiet-wait", type=float, default=20)
    parser.add_argument(
        "--paired-rounds",
        type=int,
        default=2,
        help="rounds of routed and bypass measured at the same time (measure_paired)",
    )
    args = parser.parse_args()
    db = check_db_name(args.db)

    print(f"load test: {args.counties} counties x {args.members:,d} members in {db}")
    city, users = city_and_users(db, args)
    first = city["counties"][0]
    files = {"mixed": OUT / "load-users-all.json", "one": OUT / "load-users-first.json"}
    files["mixed"].write_text(json.dumps(users, ensure_ascii=False))
    files["one"].write_text(json.dumps([u for u in users if u["host"] == first["host"]]))
    print(
        f"  {len(users)} accounts; production stack + locust, {args.users} users, {args.duration} s"
    )

    runs: dict[str, list[dict[str, Any]]] = {"mixed": [], "routed": [], "bypass": []}
    configs = list(runs)
    for r in range(args.rounds):
        # A B C, then C B A …: a drift of the machine's speed favours no configuration.
        for config in configs if r % 2 == 0 else configs[::-1]:
            file = files["mixed" if config == "mixed" else "one"]
            stats = measure(config, db, file, first, args)
            runs[config].append(stats)
            line = (
                f"  round {r + 1} {config:7s} {stats['rps']:7.1f} req/s"
                f"  p50 {stats['p50_ms']:5.0f}  p95 {stats['p95_ms']:5.0f}"
                f"  p99 {stats['p99_ms']:5.0f} ms  errors {stats['error_rate']:.2%}"
            )
            print(f"{line}  (other processes {stats['other_cores']} cores)")
    pairs = []
    for r in range(args.paired_rounds):
        pair = measure_paired(db, files["one"], first, args, flip=r % 2 == 1)
        pairs.append(pair)
        print(
            f"  pair {r + 1}  routed {pair['routed']['rps']:5.1f} req/s"
            f" (p50 {pair['routed']['p50_ms']:.0f} ms), bypass {pair['bypass']['rps']:5.1f}"
            f" req/s (p50 {pair['bypass']['p50_ms']:.0f} ms), at the same time,"
            f" {args.users // 2} users each"
        )
    best = {k: max(v, key=lambda s: s["rps"]) for k, v in runs.items()}
    # Each round's routed / bypass ratio compares two runs minutes apart; the median of the
    # rounds' ratios is reported (the best runs of each may come from different phases).
    round_rps = [a["rps"] / b["rps"] for a, b in zip(runs["routed"], runs["bypass"], strict=True)]
    round_p50 = [
        a["p50_ms"] / b["p50_ms"] for a, b in zip(runs["routed"], runs["bypass"], strict=True)
    ]
    ratio_rps, ratio_p50 = statistics.median(round_rps), statistics.median(round_p50)
    pair_rps = [p["routed"]["rps"] / p["bypass"]["rps"] for p in pairs]
    paired = statistics.median(pair_rps) if pair_rps else None
    # The goal is judged on the pairs when there are any (bench/summary.py reads this).
    goal_ratio = ratio_rps if paired is None else paired
    report(best, ratio_rps, ratio_p50, round_rps, pair_rps, goal_ratio, args)
    RESULTS.write_text(json.dumps({
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
        "code": code_version(("src/zhdj", "tenants", "shared", "bench/locustfile.py")),
        "args": vars(args), "runs": runs, "best": best,
        "routing_cost": {"rps_ratio": ratio_rps, "p50_ratio": ratio_p50,
                         "round_rps_ratios": round_rps, "round_p50_ratios": round_p50,
                         "paired_rps_ratio": paired, "paired_rps_ratios": pair_rps,
                         "goal_rps_ratio": goal_ratio},
        "pairs": pairs,
    }, indent=1, ensure_ascii=False))  # fmt: skip
    print(f"\nresults in {RESULTS.relative_to(ROOT)}")


def report(
    best: dict[str, Any],
    ratio_rps: float,
    ratio_p50: float,
    round_rps: list[float],
    pair_rps: list[float],
    goal_ratio: float,
    args: argparse.Namespace,
) -> None:
    head = f"run ({args.users} users, {args.duration} s)"
    print(f"\n| {head} | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    labels = {"mixed": "3 counties, routed", "routed": "1 county, routed",
              "bypass": "1 county, routing bypassed"}  # fmt: skip
    for config, s in best.items():
        print(f"| {labels[config]} | {s['rps']:.1f} | {s['p50_ms']:.0f} | {s['p95_ms']:.0f} "
              f"| {s['p99_ms']:.0f} | {s['error_rate']:.2%} |")  # fmt: skip
    each = ", ".join(f"{r:.3f}" for r in round_rps)
    print(f"\nrouting cost, runs in turn (median of {len(round_rps)} rounds): routed/bypass "
          f"throughput {ratio_rps:.3f}x (rounds: {each}), p50 {ratio_p50:.3f}x")  # fmt: skip
    if pair_rps:
        each = ", ".join(f"{r:.3f}" for r in pair_rps)
        print(
            f"routing cost, measured at the same time (median of {len(pair_rps)} pairs): "
            f"routed/bypass throughput {statistics.median(pair_rps):.3f}x (pairs: {each})"
        )
    met = "yes" if goal_ratio >= 0.95 else "NO"
    judged = "the pairs" if pair_rps else "the rounds"
    print(f"goal: throughput within 5 % ({judged}): {met}")


if __name__ == "__main__":
    main()
