#!/usr/bin/env python
"""Member database benchmark: one county of 50,000 members in ~850 organizations.

    .venv/bin/python bench/members.py [--reuse] [--members 50000] [--duration 15]

Prints, for a county of --members members (bench/generator.py, seed --seed):

1. **Member list** under concurrent clients: the API ``/api/members/?org=<town>&q=<query>``
   and the page ``/members/?org=<town>&q=<query>`` — a town committee's subtree filter plus
   a name search (a common surname, and pinyin initials) — served by gunicorn (2 sync
   workers, CONN_MAX_AGE=60, DEBUG off, the project's settings on this bench database) to
   the county administrator's sessions (logged in over HTTP with the login form; one
   session per connection), loaded by ``wrk -t2 -c8 -d15s --latency`` and ``-c4`` with a
   Lua script (bench/.out/members.lua) that sets Host and Cookie, counts non-200 answers
   and prints p50/p90/p95/p99 (``latency:percentile``). Goal: p95 under 100 ms.
2. **党内统计** of the whole county: ``tenants.stats.selectors.party_statistics`` in-process,
   best of 3. Goal: under 2 s.
3. **Import** of a 50,000-row workbook of NEW members into a second county (same tree
   shape, no members): ``tenants.imports.validate.plan_import`` (check) and
   ``tenants.imports.commit.write_plan`` (write, in one transaction) timed separately.
   Goal: under 60 s together.

Statistics and import are skipped, with a message, when the application does not provide
them. The database is zhdj_bench_members (recreated unless --reuse finds the county already
generated); Redis DB 9 keys of this database's cache prefix only. Prints one table (figure,
value, unit, goal, met?) and writes bench/results-members.json.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.common import (  # noqa: E402
    check_db_name,
    child_env,
    code_version,
    free_port,
    machine,
    machine_line,
)
from bench.generator import (  # noqa: E402
    OUT,
    build_city,
    distributions,
    save_city,
    setup_django,
)
from bench.routing import (  # noqa: E402
    CLK_TCK,
    _children,
    _machine_busy,
    _pg_backends,
    _proc_cpu,
    wait_quiet,
    wrk_version,
)
from tests.support import otp  # noqa: E402

SETTINGS = "bench.settings_members"
RESULTS = ROOT / "bench" / "results-members.json"
LUA = OUT / "members.lua"
GOAL_LIST_P95_MS = 100.0
GOAL_STATS_S = 2.0
GOAL_IMPORT_S = 60.0
GOAL_MEMBERS_PER_S = 20_000
CODES = ROOT / "shared" / "standards" / "data" / "codes"


# ------------------------------------------------------------------------------
# The county: generate or reuse
# ------------------------------------------------------------------------------
def city_file(db: str) -> Path:
    return OUT / f"city-{db}.json"


def reusable(db: str, members: int, seed: int) -> dict[str, Any] | None:
    path = city_file(db)
    if not path.exists():
        return None
    city = json.loads(path.read_text())
    if city.get("members_per_county") != members or city.get("seed") != seed:
        return None
    try:
        setup_django(db)
        from django.db import connection

        schema = city["counties"][0]["schema"]
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{schema}".members_member')
            if cursor.fetchone()[0] != members:
                return None
    except Exception as exc:  # no database, no schema: generate again
        print(f"  (cannot reuse {db}: {type(exc).__name__}: {exc})")
        return None
    from django.core.management import call_command

    # The code may have moved on since the database was generated.
    call_command("migrate_schemas", interactive=False, verbosity=0)
    return city


# ------------------------------------------------------------------------------
# Serving: gunicorn, login, wrk
# ------------------------------------------------------------------------------
class Server:
    """gunicorn with the project's WSGI application on this bench database."""

    def __init__(self, db: str, workers: int) -> None:
        self.port = free_port()
        OUT.mkdir(parents=True, exist_ok=True)
        self.log = open(OUT / "gunicorn-members.log", "ab")  # noqa: SIM115
        cmd = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "zhdj.wsgi:application",
            *("--workers", str(workers), "--worker-class", "sync"),
            *("--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"),
            *("--timeout", "120", "--chdir", str(ROOT)),
        ]
        env = child_env(SETTINGS, BENCH_MEMBERS_DB=db)
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=self.log)

    def wait_ready(self, host: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log.name}")
            try:
                status, _, body = request(self.port, host, "GET", "/healthz")
            except OSError:
                time.sleep(0.2)
                continue
            # 503 "degraded" only says no Celery worker runs (none is needed here).
            if status in (200, 503) and b'"schema"' in body:
                return
            time.sleep(0.2)
        raise SystemExit(f"gunicorn not ready after {timeout} s; see {self.log.name}")

    def pids(self) -> list[int]:
        return [self.proc.pid, *_children(self.proc.pid)]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def request(
    port: int,
    host: str,
    method: str,
    path: str,
    *,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, list[str]], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        resp = conn.getresponse()
        data = resp.read()
        got: dict[str, list[str]] = {}
        for k, v in resp.getheaders():
            got.setdefault(k.lower(), []).append(v)
        return resp.status, got, data
    finally:
        conn.close()


def _cookies(headers: dict[str, list[str]]) -> dict[str, str]:
    out = {}
    for line in headers.get("set-cookie", []):
        name, _, rest = line.partition("=")
        out[name.strip()] = rest.split(";", 1)[0]
    return out


def login(port: int, host: str, username: str, password: str) -> str:
    """Log in through the login form like a browser; returns the Cookie header value."""
    status, headers, body = request(port, host, "GET", "/accounts/login/")
    if status != 200:
        raise SystemExit(f"GET /accounts/login/: HTTP {status}")
    jar = _cookies(headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not match or "csrftoken" not in jar:
        raise SystemExit("no CSRF token on the login page")
    form = urllib.parse.urlencode(
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": match.group(1).decode(),
        }
    )
    status, headers, body = request(
        port,
        host,
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={jar['csrftoken']}",
            "Referer": f"http://{host}/accounts/login/",
        },
    )
    jar |= _cookies(headers)
    if status != 302 or "zhdj_session" not in jar:
        raise SystemExit(f"login as {username} failed: HTTP {status} {body[:200]!r}")
    if (headers.get("location") or [""])[0] == otp.VERIFY_PATH:  # 动态口令 (generator.py)
        status, headers, body = request(
            port,
            host,
            "POST",
            otp.VERIFY_PATH,
            body=urllib.parse.urlencode(
                {"code": otp.code_for(host, username), "csrfmiddlewaretoken": jar["csrftoken"]}
            ),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={jar['csrftoken']}; zhdj_session={jar['zhdj_session']}",
                "Referer": f"http://{host}{otp.VERIFY_PATH}",
            },
        )
        if status != 302:
            raise SystemExit(f"动态验证码 of {username} refused: HTTP {status}")
        jar |= _cookies(headers)
    return f"csrftoken={jar['csrftoken']}; zhdj_session={jar['zhdj_session']}"


class Watch:
    """CPU used by other processes during a run: the machine's busy time minus gunicorn and
    its workers, their PostgreSQL backends (including any opened during the run: with
    CONN_MAX_AGE=60 a worker reconnects every minute) and this script's children (wrk)."""

    def __init__(self, server: Server, app: str) -> None:
        self.server, self.app = server, app
        self.pids = {p: _proc_cpu(p) for p in server.pids() + _pg_backends(app)}
        self.t0, self.busy0, self.self0 = time.monotonic(), _machine_busy(), self._self()

    @staticmethod
    def _self() -> float:
        t = os.times()
        return (t.user + t.system + t.children_user + t.children_system) * CLK_TCK

    def other_cores(self) -> tuple[float, bool]:
        elapsed = time.monotonic() - self.t0
        now = set(self.server.pids() + _pg_backends(self.app))
        ours = self._self() - self.self0
        recycled = False
        for pid in now | set(self.pids):
            if not Path(f"/proc/{pid}").exists():
                recycled = True  # ended during the run: its last ticks are unknown
                continue
            ours += _proc_cpu(pid) - self.pids.get(pid, 0)
        other = (_machine_busy() - self.busy0 - ours) / CLK_TCK / elapsed
        return round(min(max(other, 0.0), len(os.sched_getaffinity(0))), 2), recycled


LUA_SCRIPT = r"""
-- bench/members.py: Host and one session cookie per request (round robin), non-200
-- answers counted, percentiles printed by done().
local cookies = { %(cookies)s }
local path = "%(path)s"
local host = "%(host)s"
local counter = 0
non200 = 0

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  counter = (id or 1) * 3
end

function request()
  counter = counter + 1
  local cookie = cookies[(counter %% #cookies) + 1]
  return wrk.format("GET", path, { ["Host"] = host, ["Cookie"] = cookie })
end

function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("non200") or 0) end
  local e = summary.errors
  io.write(string.format(
    "BENCH p50=%%d p90=%%d p95=%%d p99=%%d max=%%d " ..
    "requests=%%d duration=%%d non200=%%d errors=%%d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, summary.requests, summary.duration, bad,
    e.connect + e.read + e.write + e.timeout))
end
"""


def lua_quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def wrk_run(
    port: int, host: str, path: str, cookies: list[str], connections: int, seconds: int,
    threads: int,
) -> dict[str, Any]:  # fmt: skip
    LUA.write_text(
        LUA_SCRIPT
        % {
            "cookies": ", ".join(f'"{lua_quote(c)}"' for c in cookies),
            "path": lua_quote(path),
            "host": lua_quote(host),
        }
    )
    cmd = [
        "wrk",
        *(f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"),
        *("-s", str(LUA), f"http://127.0.0.1:{port}/"),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    match = re.search(r"^BENCH (.*)$", proc.stdout, re.MULTILINE)
    if not match:
        raise SystemExit(f"wrk printed no BENCH line:\n{proc.stdout}\n{proc.stderr}")
    v = {k: int(x) for k, x in (kv.split("=") for kv in match.group(1).split())}
    return {
        "p50_ms": v["p50"] / 1000,
        "p90_ms": v["p90"] / 1000,
        "p95_ms": v["p95"] / 1000,
        "p99_ms": v["p99"] / 1000,
        "max_ms": v["max"] / 1000,
        "requests": v["requests"],
        "requests_per_s": v["requests"] / (v["duration"] / 1e6),
        "non_200": v["non200"],
        "socket_errors": v["errors"],
        "wrk_output": proc.stdout,
        "command": " ".join(cmd).replace(str(port), "<port>"),
    }


def list_benchmark(city: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    county = city["counties"][0]
    host = county["host"]
    town_id, town_name, town_members = county["towns"][0]
    surname, initials = args.surname, args.initials
    q_surname = urllib.parse.quote(surname)
    cases = [
        ("api_surname", f"/api/members/?org={town_id}&q={q_surname}", "API", surname),
        ("api_initials", f"/api/members/?org={town_id}&q={initials}", "API", initials),
        ("page_surname", f"/members/?org={town_id}&q={q_surname}", "page", surname),
    ]
    clients = sorted({int(c) for c in args.connections.split(",")}, reverse=True)
    runs: list[dict[str, Any]] = []
    with Server(args.db, args.gunicorn_workers) as server:
        server.wait_ready(host)
        cookies = [
            login(server.port, host, county["admin_username"], county["admin_password"])
            for _ in range(max(clients))
        ]
        matches: dict[str, int] = {}
        for key, path, kind, _q in cases:
            status, _, body = request(
                server.port, host, "GET", path, headers={"Cookie": cookies[0]}
            )
            if status != 200:
                raise SystemExit(f"GET {path}: HTTP {status}: {body[:300]!r}")
            if kind == "API":
                matches[key] = json.loads(body)["count"]
            else:
                found = re.search(rb'data-testid="member-count">\D*([\d,]+)', body)
                matches[key] = int(found.group(1).replace(b",", b"")) if found else -1
        print(
            f"  town {town_name} (id {town_id}, {town_members:,d} members); matches: "
            + ", ".join(f"{k} {v:,d}" for k, v in matches.items()),
            flush=True,
        )
        app = args.db.removeprefix("zhdj_bench_")  # application_name zhdj_bench_<app>
        for key, path, kind, q in cases:
            wrk_run(server.port, host, path, cookies, max(clients), args.warmup, args.threads)
            for c in clients:
                attempts = []
                while True:
                    pids = server.pids() + _pg_backends(app)
                    waited = wait_quiet(pids, args.max_other_cpu, args.quiet_wait)
                    if waited > 1.5:
                        print(f"  (waited {waited:.0f} s for other processes to quieten)")
                    watch = Watch(server, app)
                    result = wrk_run(
                        server.port, host, path, cookies, c, args.duration, args.threads
                    )
                    result["other_cpu_cores"], result["backend_recycled"] = watch.other_cores()
                    attempts.append(result)
                    if result["other_cpu_cores"] <= args.max_other_cpu or len(attempts) > (
                        args.retries
                    ):
                        break
                    print(
                        f"  disturbed (other processes {result['other_cpu_cores']:.2f} cores): "
                        "measuring again",
                        flush=True,
                    )
                result = min(attempts, key=lambda r: r["other_cpu_cores"])
                result |= {
                    "case": key,
                    "kind": kind,
                    "q": q,
                    "path": path,
                    "clients": c,
                    "matches": matches[key],
                    "attempts": len(attempts),
                }
                (OUT / f"wrk-members-{key}-c{c}.txt").write_text(result.pop("wrk_output"))
                for other in attempts:
                    other.pop("wrk_output", None)
                runs.append(result)
                print(
                    f"  {kind:4s} q={q:4s} {c} clients: {result['requests_per_s']:6.1f} req/s  "
                    f"p50 {result['p50_ms']:6.1f}  p95 {result['p95_ms']:6.1f}  "
                    f"p99 {result['p99_ms']:6.1f} ms  ({result['non_200']} non-200; other "
                    f"processes {result['other_cpu_cores']:.2f} cores)",
                    flush=True,
                )
                if result["non_200"] or result["socket_errors"]:
                    print(
                        f"  WARNING: {result['non_200']} non-200, {result['socket_errors']} errors"
                    )
    return {"town": {"id": town_id, "name": town_name, "members": town_members}, "runs": runs}


# ------------------------------------------------------------------------------
# 党内统计
# ------------------------------------------------------------------------------
def stats_benchmark(city: dict[str, Any], repeat: int = 3) -> dict[str, Any]:
    try:
        from tenants.stats.selectors import party_statistics
    except ImportError as exc:
        return {"skipped": f"tenants.stats.selectors.party_statistics is missing ({exc})"}
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from shared.accounts.models import User
    from tenants.access.scope import scope_for

    county = city["counties"][0]
    today = timezone.localdate()
    times = []
    with schema_context(county["schema"]):
        admin = User.objects.get(username=county["admin_username"])
        scope = scope_for(admin)
        for _ in range(repeat):
            connection.close()  # as a request on a fresh connection would (worst case)
            t = time.perf_counter()
            result = party_statistics(scope, org_id=None, on=today)
            times.append(time.perf_counter() - t)
        warm = []
        for _ in range(repeat):
            t = time.perf_counter()
            party_statistics(scope, org_id=None, on=today)
            warm.append(time.perf_counter() - t)
    return {
        "seconds": min(times + warm),
        "best_new_connection_s": min(times),
        "best_warm_s": min(warm),
        "runs_s": [round(x, 3) for x in times + warm],
        "total_counted": getattr(result, "total", None),
        "on": today.isoformat(),
    }


# ------------------------------------------------------------------------------
# Import
# ------------------------------------------------------------------------------
def _code_names(table: str) -> dict[str, str]:
    rows = json.loads((CODES / f"{table}.json").read_text())["rows"]
    return {r["code"]: r["name"] for r in rows}


def build_workbook(plan, branch_names: dict[int, str], rows: int, columns) -> bytes:  # type: ignore[no-untyped-def]
    """An .xlsx of ``rows`` new members of ``plan``'s county in the import template's
    columns (tenants.imports.columns.COLUMNS): names of codes, full branch names, dates."""
    from openpyxl import Workbook

    from bench.city.people import CHUNK, FIELDS, generate_chunk
    from bench.generator import _STATE
    from tenants.imports.columns import SHEET_TITLE

    names = {
        "ethnicity_code": _code_names("ethnicity"),
        "education_code": _code_names("education"),
        "category_code": _code_names("member_category"),
        "occupation_code": _code_names("occupation"),
    }
    sexes = {"male": "男", "female": "女"}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    ws.append([c.header for c in columns])
    written = 0
    for chunk in range(-(-rows // CHUNK)):
        for values in generate_chunk(plan, chunk, _STATE["names"]):
            if written >= rows:
                break
            v = dict(zip(FIELDS, values[: len(FIELDS)], strict=True))
            out = []
            for c in columns:
                if c.field == "org":
                    out.append(branch_names[v["org_id"]])
                elif c.field == "sex":
                    out.append(sexes[v["sex"]])
                elif c.field in names:
                    out.append(names[c.field].get(v[c.field], v[c.field]) if v[c.field] else None)
                else:
                    out.append(v[c.field] if v[c.field] not in ("", None) else None)
            ws.append(out)
            written += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def import_benchmark(city: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    try:
        from tenants.imports.columns import COLUMNS
        from tenants.imports.commit import write_plan
        from tenants.imports.validate import plan_import
    except ImportError as exc:
        return {"skipped": f"tenants.imports has no validate/commit API ({exc})"}
    from django.db import transaction
    from django_tenants.utils import schema_context

    import bench.generator as gen
    from bench.city.people import NamePool
    from shared.accounts.models import User
    from shared.customers.models import Tenant
    from shared.customers.services import _discard
    from tenants.access.scope import scope_for
    from tenants.members.models import Member
    from tenants.orgs.models import Organization

    county = city["counties"][1]
    with schema_context(county["schema"]):
        present = Organization.objects.count()
    if present > 1:  # an earlier run loaded its tree and imported: open it again, empty
        print(f"  county {county['name']} is not empty (an earlier run): re-onboarding it",
              flush=True)  # fmt: skip
        _discard(Tenant.objects.get(schema_name=county["schema"]))
        gen.onboard_one(county)
    today = date.fromisoformat(city["today"])
    plan, _tree = gen.load_tree(county, args.rows, city["seed"], today)  # a tree for the rows
    if gen._STATE["names"] is None:
        gen.set_names(NamePool.build(city["seed"], per_pool=max(1500, min(12_000, args.rows // 6))))
    with schema_context(county["schema"]):
        branch_names = dict(Organization.objects.values_list("pk", "name"))
    t = time.perf_counter()
    data = build_workbook(plan, branch_names, args.rows, COLUMNS)
    build_s = time.perf_counter() - t
    path = OUT / f"import-{args.rows}.xlsx"
    path.write_bytes(data)
    print(
        f"  workbook of {args.rows:,d} new members for {county['name']}: {len(data) / 1e6:.1f} MB "
        f"built in {build_s:.1f} s ({path.relative_to(ROOT)})",
        flush=True,
    )
    with schema_context(county["schema"]):
        admin = User.objects.get(username=county["admin_username"])
        scope = scope_for(admin)
        t = time.perf_counter()
        with path.open("rb") as fh:
            planned = plan_import(fh, scope=scope, today=today)
        validate_s = time.perf_counter() - t
        ok = planned.ok
        if not ok:
            return {
                "validate_s": validate_s,
                "errors": [list(e) for e in planned.errors[:20]],
                "error_count": len(planned.errors),
                "skipped": f"the workbook did not validate ({len(planned.errors)} errors)",
            }
        t = time.perf_counter()
        with transaction.atomic():
            write_plan(planned, scope=scope)
        commit_s = time.perf_counter() - t
        imported = Member.objects.count()
    return {
        "rows": args.rows,
        "creates": len(planned.creates),
        "updates": len(planned.updates),
        "validate_s": validate_s,
        "commit_s": commit_s,
        "total_s": validate_s + commit_s,
        "members_after": imported,
        "workbook_mb": round(len(data) / 1e6, 1),
        "county": county["name"],
    }


# ------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------
def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", default="zhdj_bench_members")
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="keep the generated database")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", default="8,4", help="concurrent clients, comma-separated")
    parser.add_argument(
        "--max-other-cpu",
        type=float,
        default=0.25,
        help="cores other processes may use during a run before it is measured again",
    )
    parser.add_argument("--retries", type=int, default=1, help="re-measurements per run")
    parser.add_argument("--quiet-wait", type=float, default=20, help="max wait for quiet, s")
    parser.add_argument("--surname", default="王", help="the name search (a common surname)")
    parser.add_argument("--initials", default="wj", help="the pinyin-initials search")
    parser.add_argument("--rows", type=int, default=50_000, help="rows of the import workbook")
    parser.add_argument("--skip", default="", help="comma-separated: list,stats,import")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    check_db_name(args.db)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if "list" not in skip and shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    started = time.monotonic()
    loadavg = Path("/proc/loadavg").read_text().split()[:3]

    city = reusable(args.db, args.members, args.seed) if args.reuse else None
    generated = city is None
    if generated:
        print(
            f"generating one county of {args.members:,d} members (seed {args.seed}) and an empty "
            f"one for the import in {args.db} ...",
            flush=True,
        )
        city = build_city(
            db=args.db,
            counties=1,
            members=args.members,
            seed=args.seed,
            workers=args.workers,
            empty_counties=1,
            quiet_wait=args.quiet_wait,
        )
        save_city(city)
    else:
        print(f"reusing {args.db} ({args.members:,d} members, seed {args.seed})", flush=True)
    county = city["counties"][0]
    print(
        f"  county {county['name']} ({county['host']}): {county['organizations']:,d} "
        f"organizations, {args.members:,d} members",
        flush=True,
    )

    results: dict[str, Any] = {}
    if "list" not in skip:
        print("member list under load (gunicorn + wrk) ...", flush=True)
        results["list"] = list_benchmark(city, args)
    if "stats" not in skip:
        print("党内统计 of the whole county (in-process) ...", flush=True)
        results["stats"] = stats_benchmark(city)
        if "skipped" in results["stats"]:
            print(f"  skipped: {results['stats']['skipped']}")
        else:
            print(f"  best {results['stats']['seconds']:.3f} s ({results['stats']['runs_s']})")
    if "import" not in skip:
        print(f"import of {args.rows:,d} new members into a second county (in-process) ...",
              flush=True)  # fmt: skip
        results["import"] = import_benchmark(city, args)
        if "skipped" in results["import"]:
            print(f"  skipped: {results['import']['skipped']}")
            for e in results["import"].get("errors", [])[:5]:
                print(f"    {e}")
        else:
            r = results["import"]
            print(f"  validate {r['validate_s']:.1f} s, commit {r['commit_s']:.1f} s")

    info = machine()
    info["loadavg_at_start"] = loadavg
    info["loadavg_at_end"] = Path("/proc/loadavg").read_text().split()[:3]
    table = figures(city, results, generated, args)
    report(table, city, results, info, args)
    dist = distributions(city["counties"][:1], date.fromisoformat(city["today"]))
    RESULTS.write_text(
        json.dumps(
            {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": " ".join(sys.argv),
                "machine": info,
                "load_generator": wrk_version(),
                "code": code_version(
                    (
                        "tenants/members/selectors.py",
                        "tenants/members/api.py",
                        "tenants/members/views.py",
                        "tenants/stats/selectors.py",
                        "tenants/imports/validate.py",
                        "tenants/imports/commit.py",
                    )
                ),
                "table": table,
                "generated": generated,
                "generation": {k: city.get(k) for k in ("members_per_s", "timings", "workers")},
                "county": {k: v for k, v in county.items() if k not in ("branches",)},
                "distributions": dist,
                **results,
                "elapsed_s": round(time.monotonic() - started, 1),
            },
            ensure_ascii=False,
            indent=2,
            default=str,
        )
    )


def figures(
    city: dict[str, Any], results: dict[str, Any], generated: bool, args: argparse.Namespace
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(figure: str, value: float | None, unit: str, goal: str = "", met: bool | None = None):  # type: ignore[no-untyped-def]
        rows.append({"figure": figure, "value": value, "unit": unit, "goal": goal, "met": met})

    if generated:
        rate = city["members_per_s"]
        add(
            f"generate {args.members:,d} members (COPY, {city['workers']} workers)",
            rate,
            "members/s",
            f"≥ {GOAL_MEMBERS_PER_S:,d}",
            rate >= GOAL_MEMBERS_PER_S,
        )
    if "list" in results:
        for r in results["list"]["runs"]:
            label = (
                f"list {r['kind']} org+q={r['q']} ({r['matches']:,d} hits), {r['clients']} clients"
            )
            add(f"{label}: p50", r["p50_ms"], "ms")
            add(
                f"{label}: p95",
                r["p95_ms"],
                "ms",
                f"< {GOAL_LIST_P95_MS:.0f}",
                r["p95_ms"] < GOAL_LIST_P95_MS and not r["non_200"],
            )
            add(f"{label}: p99", r["p99_ms"], "ms")
            add(f"{label}: throughput", r["requests_per_s"], "req/s")
    stats = results.get("stats", {})
    if stats and "skipped" not in stats:
        add(
            f"党内统计, whole county ({stats['total_counted']:,d} counted), best of 6",
            stats["seconds"],
            "s",
            f"< {GOAL_STATS_S:.0f}",
            stats["seconds"] < GOAL_STATS_S,
        )
    elif stats:
        add("党内统计, whole county", None, "s", f"< {GOAL_STATS_S:.0f}", None)
    imp = results.get("import", {})
    if imp and "skipped" not in imp:
        add(f"import {imp['rows']:,d} rows: validate (plan_import)", imp["validate_s"], "s")
        add(f"import {imp['rows']:,d} rows: commit (write_plan)", imp["commit_s"], "s")
        add(
            f"import {imp['rows']:,d} rows: validate + commit",
            imp["total_s"],
            "s",
            f"< {GOAL_IMPORT_S:.0f}",
            imp["total_s"] < GOAL_IMPORT_S,
        )
    elif imp:
        add("import 50,000 rows: validate + commit", imp.get("validate_s"), "s",
            f"< {GOAL_IMPORT_S:.0f}", None)  # fmt: skip
    return rows


def report(
    table: list[dict[str, Any]],
    city: dict[str, Any],
    results: dict[str, Any],
    info: dict[str, Any],
    args: argparse.Namespace,
) -> None:
    county = city["counties"][0]
    print()
    print(
        machine_line(info) + "; load average "
        f"{' '.join(info['loadavg_at_start'])} at start, {' '.join(info['loadavg_at_end'])} at end"
    )
    print(
        f"County {county['name']}: {args.members:,d} members, {county['organizations']:,d} "
        f"organizations; server: gunicorn {args.gunicorn_workers} sync workers, CONN_MAX_AGE=60, "
        f"DEBUG off; load: {wrk_version()} -t{args.threads} -c<clients> -d{args.duration}s "
        "(one logged-in session per connection)"
    )
    if "list" in results:
        others = [r["other_cpu_cores"] for r in results["list"]["runs"]]
        print(
            f"Other processes used {min(others):.2f}–{max(others):.2f} of {info['nproc']} cores "
            "during the wrk runs (figures above ~0.25 are disturbed)."
        )
    for key in ("stats", "import"):
        if key in results and "skipped" in results[key]:
            print(f"{key}: skipped — {results[key]['skipped']}")
    print()
    width = max(len(r["figure"]) for r in table)
    print(f"| {'figure':{width}s} | {'value':>9s} | unit      | goal      | met? |")
    print(f"|{'-' * (width + 2)}|----------:|-----------|-----------|------|")
    for r in table:
        v = r["value"]
        value = (
            "—"
            if v is None
            else (f"{v:,.0f}" if v >= 1000 else f"{v:.1f}" if v >= 10 else f"{v:.2f}")
        )
        met = (
            ""
            if r["met"] is None and not r["goal"]
            else ("—" if r["met"] is None else ("yes" if r["met"] else "NO"))
        )
        print(
            f"| {r['figure']:{width}s} | {value:>9s} | {r['unit']:9s} | {r['goal']:9s} | {met:4s} |"
        )
    print(f"\nresults in {RESULTS.relative_to(ROOT)}; wrk output in bench/.out/")


if __name__ == "__main__":
    main()
