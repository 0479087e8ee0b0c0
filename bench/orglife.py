#!/usr/bin/env python
"""Benchmark: 1,000 members signing in to one 主题党日 by its QR code, and a ballot of
1,000 voters, against the production stack (nginx → gunicorn, bench/stack.py).

    .venv/bin/python bench/orglife.py [--members 1000] [--concurrency 16] [--db zhdj_bench_orglife]

1. A synthetic county (bench/generator.py, one county, ``--county-members`` members) in its
   own database; ``--members`` of its full members are put on the roll of one branch
   (the instrument's fixture: a branch that large stands for a big 机关 branch or a town's
   joint 主题党日), each with a login and a signed-in session (as bench/load.py makes them).
2. Through the services, as the secretary's page does: a 主题党日 starting now (the
   notice to every member's bell, timed) and a 支部党员大会 with a secret ballot open
   (its roll computed from the roster, timed).
3. Sign-in: each member, from ``--concurrency`` clients at once, does what the phone does
   after scanning — GET the code's page, POST 确认签到 (CSRF token from the page). The
   wall time for all of them, per-member latency (p50/p95/max) and errors; the database
   must show every member present. Baseline from the same run and clients: two GETs of
   ``/livez`` per member (the stack's floor), as a ratio.
4. Vote: each member GETs the meeting page and POSTs a vote (yes or no alternately) on
   the phone page; then the secretary's POST 计票 closes and counts the ballot (timed);
   the counts must equal what was sent.

Goal (issue 19): all 1,000 sign-ins within a minute. Results: bench/results-orglife.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.common import check_db_name, machine, machine_line  # noqa: E402
from bench.generator import build_city, save_city, setup_django  # noqa: E402
from bench.members import reusable  # noqa: E402

RESULTS = ROOT / "bench" / "results-orglife.json"
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def prepare(city: dict[str, Any], n: int) -> dict[str, Any]:
    """The branch, its members' sessions, the secretary's, the two meetings and the ballot."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from bench.load import _account
    from shared.accounts.models import User
    from tenants.access.models import Post
    from tenants.access.scope import Scope
    from tenants.members.models import Member
    from tenants.orglife.models import Ballot, Meeting
    from tenants.orglife.services import meeting_plan
    from tenants.orglife.voting import ballot_open
    from tenants.orgs.models import Organization

    county = city["counties"][0]
    hashed = make_password("Bench-Orglife-Passw0rd!")
    with schema_context(county["schema"]):
        Ballot.objects.all().delete()
        Meeting.objects.all().delete()
        branch = Organization.objects.filter(type_code="branch").order_by("path").first()
        members = list(
            Member.objects.filter(category_code="full", party_status_code="normal").order_by("pk")[
                :n
            ]
        )
        if len(members) < n:
            raise SystemExit(f"only {len(members)} full members in the county")
        Member.objects.filter(pk__in=[m.pk for m in members]).update(org=branch)
        Post.objects.filter(org=branch).exclude(member__in=members).delete()
        secretary_member = members[0]
        Post.objects.get_or_create(
            org=branch, member=secretary_member, post_code="secretary", ended_at=None,
            defaults={"started_at": timezone.localdate()},
        )  # fmt: skip
        t0 = time.perf_counter()
        sessions = [
            _account(User, Member, m, f"ol_member{i}", User.Role.MEMBER, hashed)["session"]
            for i, m in enumerate(members)
        ]
        accounts_s = time.perf_counter() - t0
        now = timezone.now()
        t0 = time.perf_counter()
        theme = meeting_plan(
            scope=Scope.system(), org=branch, type_code="theme_day", starts_at=now,
            title="主题党日（基准测试）", actor=None,
        )  # fmt: skip
        plan_ms = (time.perf_counter() - t0) * 1000
        assembly = meeting_plan(
            scope=Scope.system(), org=branch, type_code="assembly",
            starts_at=now - timedelta(minutes=1), title="支部党员大会（基准测试）", actor=None,
        )  # fmt: skip
        t0 = time.perf_counter()
        ballot = ballot_open(
            scope=Scope.system(), meeting=assembly, kind="resolution", subject="基准测试表决",
            secret=True, actor=None,
        )  # fmt: skip
        open_ms = (time.perf_counter() - t0) * 1000
        return {
            "host": county["host"],
            "schema": county["schema"],
            "sessions": sessions,
            "secretary": sessions[0],
            "theme": theme.pk,
            "token": theme.checkin_token,
            "assembly": assembly.pk,
            "ballot": ballot.pk,
            "expected": ballot.expected,
            "accounts_s": round(accounts_s, 1),
            "plan_ms": round(plan_ms),
            "open_ms": round(open_ms),
        }


class Client:
    """One phone: keep-alive connection, the member's session cookie."""

    def __init__(self, port: int, host: str, session: str) -> None:
        self.port, self.host, self.cookies = port, host, {"zhdj_session": session}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, bytes]:
        headers = {
            "Host": self.host,
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}{path}"
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        data = resp.read()
        for k, v in resp.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, data

    def post_form(self, page: str, action: str, form: dict[str, str]) -> int:
        """GET ``page`` (its CSRF token), POST ``form`` to ``action``; the POST's status."""
        status, body = self.call("GET", page)
        match = TOKEN.search(body)
        if status != 200 or match is None:
            return status or 599
        status, _ = self.call(
            "POST", action, {**form, "csrfmiddlewaretoken": match.group(1).decode()}
        )
        return status

    def close(self) -> None:
        self.conn.close()


def storm(port: int, host: str, sessions: list[str], concurrency: int, job) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """``job(client, i)`` → HTTP status, for every session, ``concurrency`` at a time."""

    def one(i: int) -> tuple[float, int]:
        client = Client(port, host, sessions[i])
        t0 = time.perf_counter()
        try:
            status = job(client, i)
        except OSError:
            status = 599
        finally:
            client.close()
        return time.perf_counter() - t0, status

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, range(len(sessions))))
    wall = time.perf_counter() - t0
    times = sorted(t * 1000 for t, _ in results)
    return {
        "n": len(results),
        "wall_s": round(wall, 2),
        "per_s": round(len(results) / wall, 1),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        "max_ms": round(times[-1], 1),
        "errors": sum(1 for _, s in results if s not in (200, 302)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", default="zhdj_bench_orglife")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--county-members", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    db = check_db_name(args.db)
    info = machine()
    print(machine_line(info))
    city = reusable(db, args.county_members, 1) if args.reuse else None
    if city is None:
        city = build_city(db=db, counties=1, members=args.county_members, seed=1, workers=2,
                          progress=False)  # fmt: skip
        save_city(city)
    setup_django(db)
    w = prepare(city, args.members)
    print(
        f"{args.members} members on one branch's roll; logins {w['accounts_s']} s; "
        f"plan + notice {w['plan_ms']} ms; ballot roll of {w['expected']} {w['open_ms']} ms"
    )

    from bench.stack import Stack

    with Stack("bench.settings_members", BENCH_MEMBERS_DB=db) as stack:
        stack.wait_ready(w["host"])
        port, host, sessions = stack.port, w["host"], w["sessions"]
        checkin = f"/orglife/checkin/{w['token']}/"

        def livez(c: Client, i: int) -> int:
            return max(c.call("GET", "/livez")[0], c.call("GET", "/livez")[0])

        floor = storm(port, host, sessions, args.concurrency, livez)
        signin = storm(
            port, host, sessions, args.concurrency, lambda c, i: c.post_form(checkin, checkin, {})
        )
        page = f"/orglife/mine/{w['assembly']}/"
        vote = f"/orglife/ballots/{w['ballot']}/vote/"

        def cast(c: Client, i: int) -> int:
            return c.post_form(page, vote, {"choice": "yes" if i % 2 else "no"})

        votes = storm(port, host, sessions, args.concurrency, cast)
        secretary = Client(port, host, w["secretary"])
        t0 = time.perf_counter()
        count_status = secretary.post_form(
            f"/orglife/{w['assembly']}/",
            f"/orglife/{w['assembly']}/ballots/{w['ballot']}/count/",
            {},
        )
        count_ms = round((time.perf_counter() - t0) * 1000)
        secretary.close()

    from django_tenants.utils import schema_context

    from tenants.orglife.models import Attendance, Ballot

    with schema_context(w["schema"]):
        present = Attendance.objects.filter(meeting_id=w["theme"], present=True).count()
        ballot = Ballot.objects.get(pk=w["ballot"])
    n = args.members
    checks = {
        "every member signed in": present == n,
        "counted": ballot.status == "closed" and count_status == 302,
        "counts equal the votes sent": (ballot.yes, ballot.no) == (n // 2, n - n // 2),
        "no errors": signin["errors"] == votes["errors"] == 0,
    }
    result = {
        "machine": info,
        "members": n,
        "concurrency": args.concurrency,
        "prepare": {k: w[k] for k in ("accounts_s", "plan_ms", "open_ms", "expected")},
        "floor_livez": floor,
        "signin": signin,
        "vote": votes,
        "count_ms": count_ms,
        "checks": checks,
        "figures": [
            {"bench": "orglife", "figure": f"{n} QR sign-ins, wall",
             "value": signin["wall_s"], "unit": "s"},
            {"bench": "orglife", "figure": "sign-in p95", "value": signin["p95_ms"], "unit": "ms"},
            {"bench": "orglife", "figure": f"{n} phone votes, wall",
             "value": votes["wall_s"], "unit": "s"},
            {"bench": "orglife", "figure": f"close and count {n} votes",
             "value": count_ms, "unit": "ms"},
        ],
    }  # fmt: skip
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print()
    print("| step | n | wall s | per s | p50 ms | p95 ms | max ms | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for name, row in (("floor: 2 × GET /livez", floor), ("QR sign-in (GET + POST)", signin),
                      ("phone vote (GET + POST)", votes)):  # fmt: skip
        print(f"| {name} | {row['n']} | {row['wall_s']} | {row['per_s']} | {row['p50_ms']} | "
              f"{row['p95_ms']} | {row['max_ms']} | {row['errors']} |")  # fmt: skip
    print(f"\nsign-in rate vs the floor: {signin['per_s'] / floor['per_s']:.2f}×; "
          f"close and count {n} votes: {count_ms} ms (HTTP, the secretary's 计票)")  # fmt: skip
    goal = signin["wall_s"] <= 60
    print(f"goal: {n} sign-ins within 60 s: {'met' if goal else 'NOT met'} ({signin['wall_s']} s)")
    for name, ok in checks.items():
        print(f"check: {name}: {'ok' if ok else 'FAILED'}")
    return 0 if goal and all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
