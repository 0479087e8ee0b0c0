#!/usr/bin/env python
"""Benchmark: 2,000 members answering one timed test at once, and 1,000 players reporting
study progress, against the production stack (nginx → gunicorn, bench/stack.py).

    .venv/bin/python bench/learning.py [--reuse] [--members 2000] [--players 1000]
        [--concurrency 64] [--study-concurrency 128] [--study-seconds 150]
        [--db zhdj_bench_learnbench]

1. A synthetic county (bench/generator.py, one county, ``--county-members`` members) in its
   own database; ``--members`` full members get a login and a signed-in session, made in
   bulk (one shared Argon2 hash computed once, users, member links and sessions each
   written by one statement: logging 2,000 members in through Argon2 would measure the
   hasher). Through the services (tenants/learning/services.py), as the county's pages do:
   a published course at the county root with the 180-s video lesson
   (tenants/learning/demo_media/lesson.mp4), a bank of 10 questions (3 单选, 3 多选,
   2 判断, 2 填空 of two blanks) and a fixed, timed paper of them, published.
2. **The test** (member JSON API, real HTTP through nginx): every member, from
   ``--concurrency`` clients at once with no think time, POSTs ``papers/<id>/start/``,
   saves one answer per question in the order shown (right, partly right, wrong or left
   out, drawn per member; options mapped through the member's own shuffled order; 填空
   right answers sent in full-width / spaced / trailing-punctuation forms the grading rules
   normalise), then POSTs ``submit/``. The score each answer should give is computed here,
   from the bank and the rules as documented (tenants/learning/grading.py's docstring),
   not by calling the grader; the submit answer and the database must agree with it.
3. **Study progress**: ``--players`` other-or-same members each open a study session on
   the video lesson and send progress events ``(seq, position)`` with position = wall time
   elapsed on the client since the server answered the session's start, one event 1 or 2
   whole seconds after the previous one was sent (real players send one every ~15 s; this
   compresses time) for ``--study-seconds``, through ``--study-concurrency`` connections
   (a player never has two events in flight). A handful of scripted cheaters at the same
   time: position jumped ahead (``too_fast``), an event sent twice (``replay``), the same
   member continuing on a second device (``paused``), a position past the end
   (``beyond``): each must be answered 409 with that reason and never credited.
4. **Baseline**: GET ``/livez`` through the same stack and the same number of clients, in
   the same run; the test's answer saves/s and the progress events/s as ratios to it.

Results: bench/results-learning.json. Figures: docs/performance.md §0i.
"""

from __future__ import annotations

import argparse
import heapq
import http.client
import json
import os
import random
import secrets
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.common import OUT, check_db_name, machine, machine_line  # noqa: E402
from bench.generator import build_city, save_city, setup_django  # noqa: E402
from bench.members import reusable  # noqa: E402
from bench.routing import CLK_TCK, CpuWatch, _machine_busy, _proc_stat, _redis_pid  # noqa: E402

RESULTS = ROOT / "bench" / "results-learning.json"
CSRF = "benchlearnbenchlearnbenchlearnbe"  # a 32-character CSRF secret (cookie = header)
POINTS = {"single": 10, "multi": 10, "judge": 5, "fill": 10}

# The bank: (kind, stem, options, answer) as question_create takes them.
BANK: list[dict[str, Any]] = [
    {"kind": "single", "stem": "中国共产党的最高领导机关是？",
     "options": ["党的全国代表大会和它所产生的中央委员会", "中央纪律检查委员会", "中央军事委员会",
                 "全国人民代表大会"], "answer": [0]},
    {"kind": "single", "stem": "党员因特殊情况不能按期交纳党费的，应当？",
     "options": ["不再交纳", "向党支部说明情况并及时补交", "由他人代交", "下一年度一次交清"],
     "answer": [1]},
    {"kind": "single", "stem": "预备党员的预备期为几年？",
     "options": ["半年", "两年", "一年", "三年", "三个月"], "answer": [2]},
    {"kind": "multi", "stem": "“三会一课”中的“三会”包括？",
     "options": ["支部党员大会", "支部委员会", "党小组会", "职工代表大会", "团员大会"],
     "answer": [0, 1, 2]},
    {"kind": "multi", "stem": "党的纪律包括？",
     "options": ["政治纪律", "组织纪律", "廉洁纪律", "考勤纪律"], "answer": [0, 1, 2]},
    {"kind": "multi", "stem": "党员的权利包括？",
     "options": ["参加党的有关会议", "在党的会议上参加讨论", "任意退出组织生活", "表决权、选举权"],
     "answer": [0, 1, 3]},
    {"kind": "judge", "stem": "党员应当按期交纳党费。", "answer": [0]},
    {"kind": "judge", "stem": "预备党员有表决权。", "answer": [1]},
    {"kind": "fill", "stem": "中国共产党成立于____年，第一次全国代表大会最后在____的游船上闭幕。",
     "answer": [["1921", "一九二一"], ["嘉兴南湖", "南湖"]]},
    {"kind": "fill",
     "stem": "党支部应当每____召开一次支部党员大会，党员每____年至少参加一次党性分析。",
     "answer": [["季度", "一个季度"], ["1", "一"]]},
]  # fmt: skip
FILL_FORMS = {  # right answers as members type them: the rules' normalisation accepts these
    "1921": "１９２１",
    "嘉兴南湖": " 嘉兴 南湖。",
    "季度": "季度 ",
    "1": "１",
}
WRONG_FILL = ["1927", "井冈山", "月", "3"]


# ------------------------------------------------------------------------------------------
# seeding
# ------------------------------------------------------------------------------------------
def logins(members: list[Any], prefix: str) -> list[str]:
    """A login and a signed-in session for each member, in bulk (what bench/load.py's
    ``_account`` makes one by one): one Argon2 hash for all, users by one INSERT, member
    links by one UPDATE, sessions by one INSERT."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.utils import timezone

    from shared.accounts.models import User
    from tenants.members.models import Member

    hashed = make_password("Bench-Learning-Passw0rd!")
    names = [f"{prefix}{i}" for i in range(len(members))]
    User.objects.bulk_create(
        [User(username=u, full_name=m.name, role=User.Role.MEMBER, password=hashed)
         for u, m in zip(names, members, strict=True)],
        ignore_conflicts=True, batch_size=1000,
    )  # fmt: skip
    User.objects.filter(username__in=names).update(password=hashed, is_active=True)
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    ids = [users[u].pk for u in names]
    mids = [m.pk for m in members]
    Member.objects.filter(user_id__in=ids).exclude(pk__in=mids).update(user=None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Member._meta.db_table} AS m SET user_id = v.uid "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS v(mid, uid) "
            "WHERE m.id = v.mid AND m.user_id IS DISTINCT FROM v.uid",
            [mids, ids],
        )
    store = SessionStore()
    expire = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows, keys = [], []
    for u in names:
        user = users[u]
        key = secrets.token_hex(16)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[-1],
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        keys.append(key)
    Session.objects.bulk_create(rows, batch_size=1000)
    return keys


def prepare(city: dict[str, Any], n: int, players: int, cheats: int) -> dict[str, Any]:
    """Logins, the course with the video lesson, the bank and the paper; learning tables
    emptied first (a reused database)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from tenants.access.scope import Scope
    from tenants.learning import models as lm
    from tenants.learning import services
    from tenants.members.models import Member
    from tenants.orgs.models import Organization
    from tenants.rules.selectors import rule_value

    county = city["counties"][0]
    need = max(n, players + cheats)
    with schema_context(county["schema"]):
        for model in (lm.StudyRejection, lm.StudySession, lm.StudyDay, lm.LessonProgress,
                      lm.LearningEvent, lm.AttemptAnswer, lm.Attempt, lm.PaperQuestion,
                      lm.Paper, lm.Question):  # fmt: skip
            model.objects.all().delete()
        for lesson in lm.Lesson.objects.all():
            if lesson.media:
                lesson.media.delete(save=False)
        lm.Lesson.objects.all().delete()
        lm.Course.objects.all().delete()
        members = list(
            Member.objects.filter(category_code="full", party_status_code="normal").order_by("pk")[
                :need
            ]
        )
        if len(members) < need:
            raise SystemExit(f"only {len(members)} full members in the county (need {need})")
        t0 = time.perf_counter()
        sessions = logins(members, "lb_member")
        logins_s = time.perf_counter() - t0
        root = Organization.objects.get_root_nodes().get()
        scope = Scope.system()
        course = services.course_create(
            scope, root,
            {"title": "学习党章（基准测试）", "year": timezone.localdate().year,
             "audience": "all", "required": True},
            None,
        )  # fmt: skip
        media = ROOT / "tenants" / "learning" / "demo_media" / "lesson.mp4"
        lesson = services.lesson_add(
            scope, course,
            {"title": "第一讲", "kind": "video",
             "media": SimpleUploadedFile("lesson.mp4", media.read_bytes())},
        )  # fmt: skip
        services.course_publish(scope, course, True)
        bank = []
        for data in BANK:
            q = services.question_create(scope, root, data, None)
            bank.append({"id": q.pk, "kind": q.kind, "options": q.options, "answer": q.answer})
        now = timezone.now()
        paper = services.paper_create(
            scope, root,
            {"title": "党章党规知识测试（基准测试）", "mode": "fixed",
             "question_ids": [q["id"] for q in bank], "points": POINTS,
             "time_limit_minutes": 60, "opens_at": now - timedelta(minutes=1),
             "closes_at": now + timedelta(days=1), "pass_percent": 60, "max_attempts": 3},
            None,
        )  # fmt: skip
        services.paper_publish(scope, paper, True)
        return {
            "host": county["host"],
            "schema": county["schema"],
            "sessions": sessions,
            "member_ids": [m.pk for m in members],
            "lesson": str(lesson.pk),
            "duration": lesson.duration_seconds,
            "paper": paper.pk,
            "bank": bank,
            "partial": rule_value("learning.multi_partial_percent"),
            "gap": rule_value("learning.event_gap_seconds"),
            "min_session": rule_value("learning.min_session_seconds"),
            "logins_s": round(logins_s, 1),
        }


# ------------------------------------------------------------------------------------------
# HTTP
# ------------------------------------------------------------------------------------------
class Conn:
    """One keep-alive connection to nginx; each request carries its member's cookies."""

    def __init__(self, port: int, host: str) -> None:
        self.port, self.host = port, host
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, session: str | None = None, data: Any = None
    ) -> tuple[int, Any, float]:
        """(status, JSON body or None, milliseconds). 599 when the connection failed."""
        headers = {"Host": self.host}
        body = None
        if session is not None:
            headers["Cookie"] = f"zhdj_session={session}; csrftoken={CSRF}"
        if method == "POST":
            body = json.dumps(data if data is not None else {})
            headers |= {"Content-Type": "application/json", "X-CSRFToken": CSRF,
                        "Referer": f"http://{self.host}/learning/"}  # fmt: skip
        for retry in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            t0 = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server had closed: the request was not read.
                self.close()
                if retry:
                    return 599, None, (time.perf_counter() - t0) * 1000
                continue
            except OSError:
                self.close()
                return 599, None, (time.perf_counter() - t0) * 1000
            ms = (time.perf_counter() - t0) * 1000
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = None
            return resp.status, parsed, ms
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Conns:
    """One connection per client thread."""

    def __init__(self, port: int, host: str) -> None:
        self.port, self.host, self.local = port, host, threading.local()
        self.all: list[Conn] = []
        self.lock = threading.Lock()

    def get(self) -> Conn:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = Conn(self.port, self.host)
            with self.lock:
                self.all.append(conn)
        return conn

    def close(self) -> None:
        for c in self.all:
            c.close()


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return round(s[min(len(s) - 1, max(0, round(len(s) * p / 100) - 1))], 1)


def lat(values: list[float]) -> dict[str, float]:
    top = round(max(values), 1) if values else 0.0
    return {"n": len(values), "p50_ms": pct(values, 50), "p95_ms": pct(values, 95),
            "p99_ms": pct(values, 99), "max_ms": top}  # fmt: skip


def floor_run(port: int, host: str, requests: int, concurrency: int) -> dict[str, Any]:
    """GET /livez ``requests`` times from ``concurrency`` keep-alive clients."""
    conns = Conns(port, host)
    times: list[float] = []
    statuses: list[int] = []

    def one(_: int) -> None:
        status, _body, ms = conns.get().request("GET", "/livez")
        times.append(ms)
        statuses.append(status)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(requests)))
    wall = time.perf_counter() - t0
    conns.close()
    return {"n": requests, "wall_s": round(wall, 2), "per_s": round(requests / wall, 1),
            **lat(times), "errors": sum(1 for s in statuses if s != 200)}  # fmt: skip


class Watch:
    """CPU of unrelated processes during a phase, in cores (bench/routing.py's CpuWatch,
    for a stack whose gunicorn workers are recycled: ``max_requests``). Ours: the stack's
    processes with their reaped children (a recycled worker's time lands in its master's
    cutime), processes of ours that appeared during the phase, this script. A PostgreSQL
    backend that ended with a recycled worker is lost, so "other" is an upper bound."""

    def __init__(self, pids: Any) -> None:
        self.fn, self.t0, self.busy0 = pids, time.monotonic(), _machine_busy()
        self.cpu0 = {p: self._cpu(p) for p in pids()}
        self.self0 = CpuWatch._self()

    @staticmethod
    def _cpu(pid: int) -> int:
        rest = _proc_stat(pid)
        return sum(int(x) for x in rest[11:15]) if rest else 0  # utime stime cutime cstime

    def other_cores(self) -> float:
        elapsed = time.monotonic() - self.t0
        busy = _machine_busy() - self.busy0
        ours = CpuWatch._self() - self.self0
        for pid in set(self.fn()) | set(self.cpu0):
            now = self._cpu(pid)
            if now:
                ours += now - self.cpu0.get(pid, 0)
        return round(max(0.0, (busy - ours) / CLK_TCK / elapsed), 2)


# ------------------------------------------------------------------------------------------
# the test
# ------------------------------------------------------------------------------------------
def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def plan_answer(
    rng: random.Random, q: dict[str, Any], shown: dict[str, Any], partial: int
) -> tuple[Any, Decimal]:
    """(answer as the member sends it, in their option order; the points it should get),
    or (None, 0) for a question left out."""
    kind, key, full = q["kind"], q["answer"], Decimal(POINTS[q["kind"]])
    way = rng.choices(["right", "partial", "wrong", "skip"], weights=[60, 15, 20, 5])[0]
    if way == "skip":
        return None, Decimal(0)
    if kind == "judge":
        if way == "right":
            return [key[0]], full
        return [1 - key[0]], Decimal(0)
    if kind == "fill":
        hits = {"right": [True, True], "partial": [True, False], "wrong": [False, False]}[way]
        texts = []
        for n, (accepted, hit) in enumerate(zip(key, hits, strict=True)):
            if hit:
                text = accepted[0]
                texts.append(FILL_FORMS.get(text, text) if rng.random() < 0.5 else text)
            else:
                texts.append(WRONG_FILL[(n + len(texts)) % len(WRONG_FILL)])
        return texts, _round(full * sum(hits) / len(key))
    # choice questions: the shown options are texts in the member's own order
    pos = {text: i for i, text in enumerate(shown["options"])}
    right = [pos[q["options"][i]] for i in key]
    wrong = [pos[t] for i, t in enumerate(q["options"]) if i not in key]
    if way == "right":
        return sorted(right), full
    if kind == "single" or way == "wrong":  # one wrong option (with a right one, for 多选)
        return sorted(([] if kind == "single" else [right[0]]) + [rng.choice(wrong)]), Decimal(0)
    if way == "partial":  # fewer right options, none wrong
        return sorted(rng.sample(right, len(right) - 1)), _round(full * partial / 100)
    return sorted([right[0], rng.choice(wrong)]), Decimal(0)


def exam_run(port: int, w: dict[str, Any], n: int, concurrency: int) -> dict[str, Any]:
    conns = Conns(port, w["host"])
    bank = {q["id"]: q for q in w["bank"]}
    start_ms: list[float] = []
    answer_ms: list[float] = []
    submit_ms: list[float] = []
    statuses: dict[str, list[int]] = {"start": [], "answer": [], "submit": []}
    per_member: list[dict[str, Any]] = [{} for _ in range(n)]
    problems: list[str] = []

    def one(i: int) -> None:
        c, session = conns.get(), w["sessions"][i]
        rng = random.Random(f"learning:{i}")
        status, body, ms = c.request("POST", f"/api/learning/papers/{w['paper']}/start/", session)
        start_ms.append(ms)
        statuses["start"].append(status)
        if status != 201 or not body:
            problems.append(f"member {i}: start {status} {str(body)[:200]}")
            return
        attempt = body["id"]
        expected, sent = Decimal(0), 0
        for shown in body["questions"]:
            given, points = plan_answer(rng, bank[shown["id"]], shown, w["partial"])
            if given is None:
                continue
            status, reply, ms = c.request(
                "POST", f"/api/learning/attempts/{attempt}/answer/", session,
                {"question": shown["id"], "answer": given},
            )  # fmt: skip
            answer_ms.append(ms)
            statuses["answer"].append(status)
            if status != 200:
                problems.append(f"member {i}: answer {status} {str(reply)[:200]}")
                continue
            expected += points
            sent += 1
        status, done, ms = c.request("POST", f"/api/learning/attempts/{attempt}/submit/", session)
        submit_ms.append(ms)
        statuses["submit"].append(status)
        score = Decimal(str(done.get("score"))) if status == 200 and done else None
        per_member[i] = {"attempt": attempt, "expected": expected, "answers": sent,
                         "score": score, "state": (done or {}).get("state")}  # fmt: skip

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(n)))
    wall = time.perf_counter() - t0
    conns.close()
    answers = len(answer_ms)
    requests = len(start_ms) + answers + len(submit_ms)
    return {
        "n": n,
        "wall_s": round(wall, 2),
        "answers": answers,
        "answers_per_s": round(answers / wall, 1),
        "requests_per_s": round(requests / wall, 1),
        "start": lat(start_ms),
        "answer": lat(answer_ms),
        "submit": lat(submit_ms),
        "status_5xx": sum(1 for v in statuses.values() for s in v if s >= 500),
        "status_other": sum(
            1
            for k, v in statuses.items()
            for s in v
            if s < 500 and s != (201 if k == "start" else 200)
        ),
        "per_member": per_member,
        "problems": problems[:20],
    }


# ------------------------------------------------------------------------------------------
# study progress
# ------------------------------------------------------------------------------------------
class Player:
    def __init__(self, i: int, session: str) -> None:
        self.i, self.cookie = i, session
        self.sid: str | None = None
        self.t0 = 0.0
        self.seq = 0
        self.last_pos = 0.0
        self.last_send = 0.0
        # What the rules may credit, from what the client saw: per accepted event
        # floor(min(advance, server wall)), the server's wall between the previous event's
        # send and its answer (rtt) off the client's: in [advance - previous rtt, advance].
        self.hi = 0  # Σ floor(advance)
        self.lo = 0  # Σ floor(max(0, advance - previous event's round trip))
        # the session start is answered before t0: the 1st event's server wall ≥ its advance
        self.prev_rtt = 0.0
        self.credited = 0  # Σ credited answered by the server
        self.accepted = 0
        self.refused: list[str] = []
        self.failed = 0
        self.rng = random.Random(f"player:{i}")


def study_run(
    port: int, w: dict[str, Any], players: int, concurrency: int, seconds: float,
    cheat_sessions: list[str],
) -> dict[str, Any]:  # fmt: skip
    conns = Conns(port, w["host"])
    lesson = w["lesson"]
    crowd = [Player(i, w["sessions"][i]) for i in range(players)]
    heap: list[tuple[float, int]] = []
    lock = threading.Lock()
    begin = time.perf_counter() + 0.5
    end = begin + seconds
    for p in crowd:  # session starts spread over the first 2 s
        heap.append((begin + 2.0 * p.i / players, p.i))
    heapq.heapify(heap)
    event_ms: list[float] = []
    start_ms: list[float] = []
    statuses: list[int] = []

    def worker() -> None:
        c = conns.get()
        while True:
            with lock:
                if not heap:
                    return
                due, i = heapq.heappop(heap)
            if due > end:
                continue  # this player is done
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            p = crowd[i]
            # A backlog (the server slower than the players) may pop a player late: the
            # run ends at ``end`` whatever was due, and a player stops at the video's end.
            if time.perf_counter() > end or p.last_pos >= w["duration"]:
                continue
            if p.sid is None:
                status, body, ms = c.request(
                    "POST", "/api/learning/sessions/", p.cookie,
                    {"lesson": lesson, "device": f"phone-{i}", "position": 0},
                )  # fmt: skip
                start_ms.append(ms)
                statuses.append(status)
                if status != 201 or not body:
                    p.failed += 1
                    continue  # the player gives up
                p.sid, p.t0 = body["session"], time.perf_counter()
                p.last_send = p.t0
            else:
                p.seq += 1
                now = time.perf_counter()
                position = min(now - p.t0, float(w["duration"]))
                status, body, ms = c.request(
                    "POST", f"/api/learning/sessions/{p.sid}/progress/", p.cookie,
                    {"seq": p.seq, "position": round(position, 3)},
                )  # fmt: skip
                event_ms.append(ms)
                statuses.append(status)
                if status == 200 and body:
                    p.accepted += 1
                    p.credited += int(body["credited"])
                    advance = round(position, 3) - round(p.last_pos, 3)
                    p.hi += int(advance)
                    p.lo += int(max(0.0, advance - p.prev_rtt))
                    p.prev_rtt = ms / 1000 + 0.01  # + the JSON encoding before the send
                    p.last_pos = round(position, 3)
                elif status == 409 and body:
                    p.refused.append(body.get("refused", "?"))
                else:
                    p.failed += 1
                p.last_send = now
            with lock:
                heapq.heappush(heap, (p.last_send + p.rng.choice((1, 2)), i))

    cheat_result: dict[str, Any] = {}
    cheater = threading.Thread(
        target=lambda: cheat_result.update(cheats(port, w, cheat_sessions)), daemon=True
    )
    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    cheater.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    cheater.join()
    conns.close()
    window = max(end - max(begin, t0), 1e-9)
    intervals = [p.last_pos / p.accepted for p in crowd if p.accepted]
    return {
        "players": players,
        "seconds": seconds,
        "wall_s": round(wall, 2),
        "events": len(event_ms),
        "events_per_s": round(len(event_ms) / window, 1),
        "mean_interval_s": round(statistics.mean(intervals), 2) if intervals else None,
        "start": lat(start_ms),
        "event": lat(event_ms),
        "refused_honest": sum(len(p.refused) for p in crowd),
        "refused_reasons": sorted({r for p in crowd for r in p.refused}),
        "status_5xx": sum(1 for s in statuses if s >= 500),
        "failed": sum(p.failed for p in crowd),
        "crowd": crowd,
        "cheats": cheat_result,
    }


def cheats(port: int, w: dict[str, Any], sessions: list[str]) -> dict[str, Any]:
    """Scripted cheating players; each event that should be refused must answer 409 with
    the reason and credit nothing. Returns {case: [(session ids, ok, note)]}."""
    c = Conn(port, w["host"])
    lesson = w["lesson"]
    out: dict[str, list[dict[str, Any]]] = {"too_fast": [], "replay": [], "paused": [],
                                            "beyond": []}  # fmt: skip

    def start(cookie: str, device: str) -> str | None:
        data = {"lesson": lesson, "device": device, "position": 0}
        status, body, _ = c.request("POST", "/api/learning/sessions/", cookie, data)
        return body["session"] if status == 201 and body else None

    def event(cookie: str, sid: str, seq: int, position: float) -> tuple[int, dict]:
        status, body, _ = c.request("POST", f"/api/learning/sessions/{sid}/progress/", cookie,
                                    {"seq": seq, "position": position})  # fmt: skip
        return status, body or {}

    k = 0
    time.sleep(3)  # inside the crowd's run
    for case in ("too_fast", "replay", "paused", "beyond"):
        for _ in range(3):
            cookie = sessions[k]
            k += 1
            sid = start(cookie, "phone-a")
            if sid is None:
                out[case].append({"ok": False, "note": "session not started", "sessions": {}})
                continue
            t0 = time.perf_counter()
            credited_ok = 0  # what honest events of this cheater were credited
            if case == "too_fast":  # 2 s in, the position says 60 s
                time.sleep(2)
                status, body = event(cookie, sid, 1, 60.0)
                bad = [(status, body.get("refused"), body.get("credited"))]
                sessions_seen = {sid: 0}
            elif case == "beyond":
                time.sleep(2)
                status, body = event(cookie, sid, 1, w["duration"] + 500.0)
                bad = [(status, body.get("refused"), body.get("credited"))]
                sessions_seen = {sid: 0}
            elif case == "replay":  # an honest event, then the same seq again, then an older one
                time.sleep(2.2)
                status, body = event(cookie, sid, 2, round(time.perf_counter() - t0, 3))
                credited_ok = int(body.get("credited", 0)) if status == 200 else -1
                time.sleep(1.1)
                bad = []
                for seq in (2, 1):
                    status, body = event(cookie, sid, seq, round(time.perf_counter() - t0, 3))
                    bad.append((status, body.get("refused"), body.get("credited")))
                sessions_seen = {sid: credited_ok}
            else:  # paused: the member goes on on a second device; the first keeps sending
                time.sleep(2.2)
                status, body = event(cookie, sid, 1, round(time.perf_counter() - t0, 3))
                credited_ok = int(body.get("credited", 0)) if status == 200 else -1
                other = start(cookie, "phone-b")
                time.sleep(1.1)
                status, body = event(cookie, sid, 2, round(time.perf_counter() - t0, 3))
                bad = [(status, body.get("refused"), body.get("credited"))]
                sessions_seen = {sid: credited_ok, **({other: 0} if other else {})}
            want = "paused" if case == "paused" else case
            ok = credited_ok >= 0 and all(s == 409 and r == want and cr == 0 for s, r, cr in bad)
            out[case].append({"ok": ok, "answers": bad, "sessions": sessions_seen})
    c.close()
    return out


# ------------------------------------------------------------------------------------------
# checks against the database
# ------------------------------------------------------------------------------------------
def check_exam(w: dict[str, Any], exam: dict[str, Any]) -> dict[str, bool]:
    from django_tenants.utils import schema_context

    from tenants.learning.models import Attempt, AttemptAnswer

    rows = exam["per_member"]
    with schema_context(w["schema"]):
        attempts = {
            str(a.pk): a
            for a in Attempt.objects.filter(paper_id=w["paper"]).only("pk", "state", "score")
        }
        answers: dict[str, int] = {}
        for aid in AttemptAnswer.objects.filter(attempt__paper_id=w["paper"]).values_list(
            "attempt_id", flat=True
        ):
            answers[str(aid)] = answers.get(str(aid), 0) + 1
    mismatched = [
        r for r in rows
        if not r or r["score"] != r["expected"]
        or attempts.get(r["attempt"]) is None
        or attempts[r["attempt"]].score != r["expected"]
    ]  # fmt: skip
    exam["score_mismatches"] = [{k: str(v) for k, v in r.items()} for r in mismatched[:10]]
    return {
        f"every attempt started and submitted ({len(rows)})": len(attempts) == len(rows)
        and all(a.state == "submitted" for a in attempts.values())
        and all(r and r["state"] == "submitted" for r in rows),
        "every score equal to the answers' expected score (submit answer and database)":
        not mismatched,
        "every answer sent is stored": all(
            r and answers.get(r["attempt"], 0) == r["answers"] for r in rows
        ),
        "no 5xx in the test": exam["status_5xx"] == 0,
        "no other error in the test": exam["status_other"] == 0,
    }  # fmt: skip


def check_study(w: dict[str, Any], study: dict[str, Any]) -> dict[str, bool]:
    from django_tenants.utils import schema_context

    from tenants.learning.models import StudyDay, StudyRejection, StudySession

    crowd: list[Player] = study["crowd"]
    with schema_context(w["schema"]):
        sessions = {str(s.pk): s for s in StudySession.objects.filter(lesson_id=w["lesson"])}
        days = dict(
            StudyDay.objects.filter(lesson_id=w["lesson"]).values_list(
                "member_id", "credited_seconds"
            )
        )
        rejections = list(StudyRejection.objects.values_list("session_id", "reason"))
    honest = [p for p in crowd if p.sid]
    over_server_wall, over_client_wall, short, mismatch, day_wrong = [], [], [], [], []
    ratios = []
    for p in honest:
        s = sessions[p.sid]
        server_wall = (s.last_event_at - s.started_at).total_seconds()
        if s.credited_seconds > server_wall:
            over_server_wall.append(p.i)
        if s.credited_seconds > p.last_pos:
            over_client_wall.append(p.i)
        if s.credited_seconds != p.credited:
            mismatch.append(p.i)
        if not p.lo <= s.credited_seconds <= p.hi:
            short.append(p.i)
        if p.last_pos > 0:
            ratios.append(s.credited_seconds / p.last_pos)
        member = w["member_ids"][p.i]
        want_day = s.credited_seconds if s.credited_seconds >= w["min_session"] else 0
        if days.get(member, 0) != want_day:
            day_wrong.append(p.i)
    honest_sids = {p.sid for p in honest}
    refused_honest_db = sum(1 for sid, _ in rejections if str(sid) in honest_sids)
    cheat = study["cheats"]
    cheat_ok = bool(cheat) and all(case["ok"] for cases in cheat.values() for case in cases)
    cheat_never_credited = True
    for cases in cheat.values():
        for case in cases:
            for sid, credited in case.get("sessions", {}).items():
                if sid not in sessions or sessions[sid].credited_seconds != credited:
                    cheat_never_credited = False
    by_reason: dict[str, int] = {}
    cheat_sids = {sid for cases in cheat.values() for c in cases for sid in c.get("sessions", {})}
    for sid, reason in rejections:
        if str(sid) in cheat_sids:
            by_reason[reason] = by_reason.get(reason, 0) + 1
    want_reasons = {"too_fast": 3, "replay": 6, "paused": 3, "beyond": 3}
    study["credit_ratio"] = {
        "min": round(min(ratios), 3) if ratios else None,
        "p5": round(sorted(ratios)[len(ratios) // 20], 3) if ratios else None,
        "median": round(statistics.median(ratios), 3) if ratios else None,
        "max": round(max(ratios), 3) if ratios else None,
    }
    study["credited_median_s"] = statistics.median(
        [sessions[p.sid].credited_seconds for p in honest]
    ) if honest else 0  # fmt: skip
    study["client_wall_median_s"] = (
        round(statistics.median([p.last_pos for p in honest]), 1) if honest else 0
    )
    study["outside_bounds"] = len(short)
    study["loss_per_event_s"] = round(
        sum(p.last_pos - sessions[p.sid].credited_seconds for p in honest)
        / max(1, sum(p.accepted for p in honest)), 2
    )  # fmt: skip
    study["rejections_by_reason_cheats"] = by_reason
    return {
        f"every player's session started ({len(honest)}/{len(crowd)})": len(honest) == len(crowd),
        "no honest event refused (409)": study["refused_honest"] == 0 and refused_honest_db == 0,
        "no 5xx or failed request in the study run": study["status_5xx"] == 0
        and study["failed"] == 0,
        "credited ≤ the server's wall time of every session": not over_server_wall,
        "credited ≤ the client's wall time (last position) of every session":
        not over_client_wall,
        "credited in the database = the sum of the credits answered": not mismatch,
        "credited within what the rules allow given the delays the client measured "
        "(Σ floor(advance − previous round trip) … Σ floor(advance))": not short,
        "StudyDay = the session's credit (0 under the minimum session)": not day_wrong,
        "every cheat refused with its reason (409, credited 0)": cheat_ok,
        "cheaters' sessions hold only their honest events' credit": cheat_never_credited,
        "refusals recorded per reason (too_fast 3, replay 6, paused 3, beyond 3)":
        by_reason == want_reasons,
    }  # fmt: skip


# ------------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", default="zhdj_bench_learnbench")
    parser.add_argument("--members", type=int, default=2000, help="members taking the test")
    parser.add_argument("--players", type=int, default=1000, help="members studying the video")
    parser.add_argument("--county-members", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64, help="clients during the test")
    parser.add_argument("--study-concurrency", type=int, default=128)
    parser.add_argument("--study-seconds", type=float, default=150)
    parser.add_argument("--floor-requests", type=int, default=6000)
    parser.add_argument("--skip", default="", help="comma list: exam,study")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    db = check_db_name(args.db)
    os.environ["ZHDJ_MEDIA_ROOT"] = str(OUT / f"media-{db}")  # lesson uploads, git-ignored
    info = machine()
    print(machine_line(info))
    city = reusable(db, args.county_members, 1) if args.reuse else None
    if city is None:
        city = build_city(db=db, counties=1, members=args.county_members, seed=1, workers=2,
                          progress=False)  # fmt: skip
        save_city(city)
    setup_django(db)
    cheat_n = 12
    if args.members < args.players + cheat_n:
        raise SystemExit("--members must be at least --players + 12 (the cheaters)")
    w = prepare(city, args.members, args.players, cheat_n)
    cheat_sessions = w["sessions"][args.players : args.players + cheat_n]
    print(f"{args.members} member logins in {w['logins_s']} s (bulk); course, 180-s lesson "
          f"({w['duration']} s), bank of {len(w['bank'])}, paper {w['paper']} seeded")  # fmt: skip

    from bench.stack import Stack

    result: dict[str, Any] = {"machine": info, "args": vars(args), "logins_s": w["logins_s"]}
    checks: dict[str, bool] = {}
    with Stack("bench.settings_members", BENCH_MEMBERS_DB=db) as stack:
        stack.wait_ready(w["host"])
        port = stack.port
        floor_run(port, w["host"], 300, 8)  # warm-up: workers' imports and connections

        def ours() -> list[int]:  # the stack, its PostgreSQL backends, Redis (+ this script)
            import psycopg

            from bench.common import PG_URL

            with psycopg.connect(f"{PG_URL}/postgres") as conn:
                rows = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [db]
                ).fetchall()
            return stack.pids() + [r[0] for r in rows] + _redis_pid()

        other: dict[str, float] = {}
        if "exam" not in skip:
            floor = floor_run(port, w["host"], args.floor_requests, args.concurrency)
            print(f"floor /livez at {args.concurrency} clients: {floor['per_s']} req/s")
            watch = Watch(ours)
            exam = exam_run(port, w, args.members, args.concurrency)
            other["exam"] = watch.other_cores()
            result |= {"floor_exam": floor, "exam": exam}
        if "study" not in skip:
            floor2 = floor_run(port, w["host"], args.floor_requests, args.study_concurrency)
            print(f"floor /livez at {args.study_concurrency} clients: {floor2['per_s']} req/s")
            watch = Watch(ours)
            study = study_run(port, w, args.players, args.study_concurrency, args.study_seconds,
                              cheat_sessions)  # fmt: skip
            other["study"] = watch.other_cores()
            result |= {"floor_study": floor2, "study": study}
        result["other_cores"] = other
        print(f"CPU used by unrelated processes (cores of 2): {other}")

    print()
    print("| step | n | wall s | per s | p50 ms | p95 ms | p99 ms | max ms | errors |")
    print("|---|---|---|---|---|---|---|---|---|")

    def row(name: str, n: int, wall: Any, per: Any, l: dict[str, Any], err: Any) -> None:  # noqa: E741
        print(f"| {name} | {n} | {wall} | {per} | {l['p50_ms']} | {l['p95_ms']} | "
              f"{l['p99_ms']} | {l['max_ms']} | {err} |")  # fmt: skip

    if "exam" not in skip:
        floor, exam = result["floor_exam"], result["exam"]
        checks |= check_exam(w, exam)
        row(f"floor: GET /livez, {args.concurrency} clients", floor["n"], floor["wall_s"],
            floor["per_s"], floor, floor["errors"])  # fmt: skip
        row("test: start (POST papers/<id>/start/)", exam["start"]["n"], "", "", exam["start"],
            "")  # fmt: skip
        row("test: save one answer", exam["answers"], exam["wall_s"], exam["answers_per_s"],
            exam["answer"], exam["status_5xx"] + exam["status_other"])  # fmt: skip
        row("test: submit (grade)", exam["submit"]["n"], "", "", exam["submit"], "")
    if "study" not in skip:
        floor2, study = result["floor_study"], result["study"]
        checks |= check_study(w, study)
        row(f"floor: GET /livez, {args.study_concurrency} clients", floor2["n"],
            floor2["wall_s"], floor2["per_s"], floor2, floor2["errors"])  # fmt: skip
        row("study: open a session", study["start"]["n"], "", "", study["start"], "")
        row("study: progress event", study["events"], study["seconds"], study["events_per_s"],
            study["event"], study["status_5xx"] + study["failed"])  # fmt: skip
    print()
    figures: list[dict[str, Any]] = []
    if "exam" not in skip:
        floor, exam = result["floor_exam"], result["exam"]
        ratio = exam["answers_per_s"] / floor["per_s"]
        print(f"test: {args.members} members, {exam['answers']} answers saved in "
              f"{exam['wall_s']} s (start + answers + submit: {exam['requests_per_s']} req/s); "
              f"answer saves {exam['answers_per_s']}/s = {ratio:.2f}× the /livez floor "
              f"({floor['per_s']}/s)")  # fmt: skip
        print(
            f"      members answering at once this rate carries, at one save per 20 s "
            f"each: {exam['answers_per_s'] * 20:.0f}; per 30 s: {exam['answers_per_s'] * 30:.0f}"
        )
        if exam["problems"]:
            print("      problems:", *exam["problems"][:5], sep="\n        ")
        if exam.get("score_mismatches"):
            print("      score mismatches:", *exam["score_mismatches"][:5], sep="\n        ")
        figures += [
            {"bench": "learning", "figure": f"{args.members} members' test, wall",
             "value": exam["wall_s"], "unit": "s"},
            {"bench": "learning", "figure": "answer saves", "value": exam["answers_per_s"],
             "unit": "/s"},
            {"bench": "learning", "figure": "answer save p95", "value": exam["answer"]["p95_ms"],
             "unit": "ms"},
            {"bench": "learning", "figure": "answer saves / livez", "value": round(ratio, 3),
             "unit": "×"},
        ]  # fmt: skip
    if "study" not in skip:
        floor2, study = result["floor_study"], result["study"]
        ratio2 = study["events_per_s"] / floor2["per_s"]
        print(f"study: {args.players} players × {args.study_seconds:.0f} s: "
              f"{study['events_per_s']} progress events/s = {ratio2:.2f}× the /livez floor "
              f"({floor2['per_s']}/s); a player's mean interval {study['mean_interval_s']} s "
              f"(asked: 1–2 s); refused honest events: {study['refused_honest']} "
              f"{study['refused_reasons'] or ''}")  # fmt: skip
        print(f"       credited / client wall per session: {study['credit_ratio']} (median "
              f"credited {study['credited_median_s']} s of {study['client_wall_median_s']} s; "
              f"{study['loss_per_event_s']} s not credited per event); "
              f"players at 15 s per event this rate carries: "
              f"{study['events_per_s'] * 15:.0f}")  # fmt: skip
        print(f"       cheats: {json.dumps(study['cheats'], ensure_ascii=False)[:600]}")
        figures += [
            {"bench": "learning", "figure": "progress events", "value": study["events_per_s"],
             "unit": "/s"},
            {"bench": "learning", "figure": "progress event p95",
             "value": study["event"]["p95_ms"], "unit": "ms"},
            {"bench": "learning", "figure": "progress events / livez", "value": round(ratio2, 3),
             "unit": "×"},
        ]  # fmt: skip
    for name, ok in checks.items():
        print(f"check: {name}: {'ok' if ok else 'FAILED'}")
    if "study" in result:
        crowd = result["study"].pop("crowd")
        result["study"]["players_sample"] = [vars(p) | {"rng": None} for p in crowd[:20]]
    result |= {"checks": checks, "figures": figures}
    RESULTS.write_text(
        json.dumps(result, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
