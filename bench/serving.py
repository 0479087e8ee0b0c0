#!/usr/bin/env python
"""Serving benchmark: the production stack (nginx → gunicorn, daphne for /ws/) against the
other ways of serving the same code, on the same database, in the same run.

    .venv/bin/python bench/serving.py [--reuse] [--connections 8] [--duration 15] [--rounds 2]

1. The load test's city (bench/load.py: ``--counties`` counties of ``--members`` members in
   zhdj_bench_load, reused with ``--reuse``) and its accounts: branch secretaries and
   members of every county, each with a signed-in session.
2. The request mix of bench/locustfile.py, written out as request lines (host, session,
   path) — members 3 : secretaries 1; a member opens the home page, their record, their
   notices; a secretary the branch's member list, a search, a member's record, the
   branch's page, 党内统计. Every line is fetched once first and must answer 200.
3. wrk (``-t2 -c<connections>``, closed loop, no think time; bench/serving.lua) against
   each configuration in turn, ``--rounds`` times (A B C … then … C B A):

   * **production** — nginx with deploy/nginx/zhdj.conf (rendered for loopback by
     deploy/local/nginx_conf.py, as ``make demo`` runs it) in front of gunicorn with
     deploy/gunicorn.conf.py as it is (its own worker count for these cores);
   * **gunicorn direct** — the same gunicorn without nginx;
   * **gunicorn 2 sync**, **5 sync** (2 × cores + 1) and **2×4 threads** — other sizings
     (``--configs`` takes ``syncN`` and ``gthreadNxT`` for any other);
   * **daphne** — one daphne process, what production ran before (HTTP through ASGI).

Prints req/s, p50, p95, p99 and errors per configuration (best round by req/s), and the
goal: production ≥ 0.9 × the best configuration's req/s, production p95 ≤ 100 ms. Results
go to bench/results-serving.json. Needs the local services (deploy/local/services.sh start),
nginx and wrk (scripts/bootstrap.sh --test installs them).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.common import check_db_name, code_version, machine, machine_line  # noqa: E402
from bench.generator import OUT  # noqa: E402
from bench.load import city_and_users, city_arguments  # noqa: E402
from bench.stack import Stack  # noqa: E402

SETTINGS = "bench.settings_members"
RESULTS = ROOT / "bench" / "results-serving.json"
GOAL_RATIO, GOAL_P95_MS = 0.9, 100.0


# ------------------------------------------------------------------------------
# The request mix
# ------------------------------------------------------------------------------
def request_lines(users: list[dict[str, Any]]) -> list[str]:
    """bench/locustfile.py's weights as request lines: each member 7 requests (home 3, own
    record 3 — the page /members/me/ redirects to —, notices 1), each secretary 9 (list 3,
    search 2, record 2, branch, 党内统计), members 3 : secretaries 1 by number of lines."""
    members = [u for u in users if u["kind"] == "member"]
    secretaries = [u for u in users if u["kind"] == "secretary"]
    lines: list[str] = []
    for u in members:
        paths = ["/"] * 3 + [f"/members/{u['member']}/"] * 3 + ["/notifications/"]
        lines += [_line(u, p) for p in paths]
    per_secretary = []
    for i, u in enumerate(secretaries):
        branch, records = u["branch"], u["members"] or [0]
        surname = quote("王李张刘陈杨"[i % 6])
        paths = [f"/members/?org={branch}"] * 3
        paths += [f"/members/?org={branch}&q={surname}"] * 2
        paths += [f"/members/{records[0]}/", f"/members/{records[-1]}/"]
        paths += [f"/orgs/{branch}/", "/stats/"]
        per_secretary.append([_line(u, p) for p in paths])
    # members 3 : secretaries 1 in requests: repeat the secretaries' lines as needed.
    wanted = max(1, len(lines) // 3)
    flat = [line for block in per_secretary for line in block]
    lines += (flat * (wanted // max(1, len(flat)) + 1))[:wanted]
    # Interleave so that every stretch of the file has the mix.
    step = 7
    return [lines[j] for i in range(step) for j in range(i, len(lines), step)]


def _line(user: dict[str, Any], path: str) -> str:
    return f"{user['host']}\tzhdj_session={user['session']}\t{path}"


def check_lines(port: int, lines: list[str]) -> None:
    """Every request answers 200 (a redirect to the login page would be measured as fast)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    for line in sorted(set(lines)):
        host, cookie, path = line.split("\t")
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Host": host, "Cookie": cookie}
        )
        try:
            with opener.open(req, timeout=30) as answer:
                status = answer.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        if status != 200:
            raise SystemExit(f"{host}{path} answered {status}, not 200: the mix is broken")


CONFIGS: dict[str, str] = {
    "production": "production: nginx → gunicorn (deploy/gunicorn.conf.py)",
    "gunicorn": "gunicorn (deploy/gunicorn.conf.py), direct",
    "sync2": "gunicorn, 2 sync workers, direct",
    "sync5": "gunicorn, 5 sync workers (2 × cores + 1), direct",
    "gthread2x4": "gunicorn, 2 workers × 4 threads, direct",
    "daphne": "daphne, one process (before)",
}


def _sizing(config: str) -> dict[str, str]:
    """``syncN`` → N sync workers; ``gthreadNxT`` → N workers of T threads."""
    if config.startswith("sync"):
        return {"WEB_CONCURRENCY": config.removeprefix("sync")}
    if config.startswith("gthread"):
        workers, threads = config.removeprefix("gthread").split("x")
        return {"WEB_CONCURRENCY": workers, "ZHDJ_WSGI_THREADS": threads}
    return {}


def label(config: str) -> str:
    return CONFIGS.get(config) or f"gunicorn {config}, direct"


def start(config: str, db: str) -> Stack:
    env = {"BENCH_MEMBERS_DB": db, **_sizing(config)}
    if config == "daphne":
        return Stack(SETTINGS, server="daphne", **env)
    return Stack(SETTINGS, nginx=config == "production", **env)


def wrk(port: int, lines_file: Path, connections: int, seconds: int) -> dict[str, Any]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
           "-s", str(ROOT / "bench" / "serving.lua"), f"http://127.0.0.1:{port}/"]  # fmt: skip
    env = dict(os.environ, SERVING_REQUESTS=str(lines_file))
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("SERVING "))
    stats = json.loads(line.removeprefix("SERVING "))
    stats["rps"] = stats["requests"] / stats["seconds"]
    stats["errors"] = stats["non_2xx_3xx"] + stats["socket_errors"]
    return stats


def measure(config: str, db: str, host: str, lines: list[str], lines_file: Path,
            args: argparse.Namespace, *, check: bool) -> dict[str, Any]:  # fmt: skip
    with start(config, db) as stack:
        stack.wait_ready(host)
        if check:
            check_lines(stack.port, lines)
        wrk(stack.port, lines_file, args.connections, args.warmup)  # warm: imports, connections
        return wrk(stack.port, lines_file, args.connections, args.duration)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    city_arguments(parser)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    args = parser.parse_args()
    db = check_db_name(args.db)
    configs = args.configs.split(",")

    print(f"serving: {args.counties} counties x {args.members:,d} members in {db}")
    city, users = city_and_users(db, args)
    lines = request_lines(users)
    lines_file = OUT / "serving-requests.tsv"
    lines_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    host = city["counties"][0]["host"]
    info = machine()
    print(machine_line(info))
    print(f"  {len(users)} accounts, {len(lines)} request lines; wrk -t2 -c{args.connections},"
          f" {args.duration} s per run, {args.rounds} rounds")  # fmt: skip

    runs: dict[str, list[dict[str, Any]]] = {c: [] for c in configs}
    for r in range(args.rounds):
        for config in configs if r % 2 == 0 else configs[::-1]:
            stats = measure(config, db, host, lines, lines_file, args, check=r == 0)
            runs[config].append(stats)
            print(f"  round {r + 1} {config:10s} {stats['rps']:7.1f} req/s  p50 "
                  f"{stats['p50_ms']:6.1f}  p95 {stats['p95_ms']:6.1f}  p99 "
                  f"{stats['p99_ms']:6.1f} ms  errors {stats['errors']}")  # fmt: skip
    best = {c: max(v, key=lambda s: s["rps"]) for c, v in runs.items()}
    report(best, args)
    RESULTS.write_text(json.dumps({
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": info,
        "code": code_version(("src/zhdj", "deploy/gunicorn.conf.py", "deploy/nginx/zhdj.conf")),
        "args": vars(args), "runs": runs, "best": best, "goal": goal(best),
    }, indent=1, ensure_ascii=False))  # fmt: skip
    print(f"\nresults in {RESULTS.relative_to(ROOT)}")


def goal(best: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    if "production" not in best or len(best) < 2:
        return None
    others = {c: s for c, s in best.items() if c != "production"}
    top = max(others, key=lambda c: others[c]["rps"])
    prod = best["production"]
    ratio = prod["rps"] / others[top]["rps"]
    return {"best_other": top, "ratio": round(ratio, 3), "production_p95_ms": prod["p95_ms"],
            "met": ratio >= GOAL_RATIO and prod["p95_ms"] <= GOAL_P95_MS}  # fmt: skip


def report(best: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    print(f"\n| configuration (wrk -c{args.connections}, {args.duration} s, best of "
          f"{args.rounds}) | req/s | p50 ms | p95 ms | p99 ms | errors |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|")
    for config, s in best.items():
        print(f"| {label(config)} | {s['rps']:.1f} | {s['p50_ms']:.1f} | {s['p95_ms']:.1f} "
              f"| {s['p99_ms']:.1f} | {s['errors']} |")  # fmt: skip
    g = goal(best)
    if g:
        print(f"\nproduction / best other ({g['best_other']}): {g['ratio']:.3f}x of req/s "
              f"(goal ≥ {GOAL_RATIO}); production p95 {g['production_p95_ms']:.1f} ms "
              f"(goal ≤ {GOAL_P95_MS:.0f}); met: {'yes' if g['met'] else 'NO'}")  # fmt: skip


if __name__ == "__main__":
    main()
