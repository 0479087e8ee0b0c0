"""Locust user mix for bench/load.py (run by it; not meant to be started by hand).

Users come from the JSON file named by ``LOAD_USERS`` (written by bench/load.py): members
and branch secretaries of up to three counties, each with a signed-in session of their own
county (made by bench/load.py) and their county's host in the ``Host`` header; every
request goes to the same loopback daphne.

* a member (weight 3) opens the home page, their own record and their notices;
* a branch secretary (weight 1) lists the branch's members, searches by surname, opens a
  member's record, the branch's organization page and the 党内统计 page.

No think time: a fixed number of users, each sending its next request when the last
answered (closed loop), so the figures are latency at a fixed concurrency.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
from urllib.parse import quote

from locust import HttpUser, constant, task

USERS = json.loads(open(os.environ["LOAD_USERS"], encoding="utf-8").read())  # noqa: SIM115
_lock = threading.Lock()
_members = itertools.cycle([u for u in USERS if u["kind"] == "member"])
_secretaries = itertools.cycle([u for u in USERS if u["kind"] == "secretary"])
SESSION_COOKIE = os.environ.get("LOAD_SESSION_COOKIE", "zhdj_session")


class _County(HttpUser):
    abstract = True
    wait_time = constant(0)
    pool: itertools.cycle

    def on_start(self) -> None:
        with _lock:
            self.account = next(self.pool)
        self.client.headers["Host"] = self.account["host"]
        self.client.cookies.set(SESSION_COOKIE, self.account["session"])


class Member(_County):
    weight = 3
    pool = _members

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(3)
    def my_record(self) -> None:
        # /members/me/ only redirects here; the record is what the member waits for.
        self.client.get(f"/members/{self.account['member']}/", name="my record")

    @task(1)
    def notices(self) -> None:
        self.client.get("/notifications/", name="notices")


class Secretary(_County):
    weight = 1
    pool = _secretaries

    @task(3)
    def branch_list(self) -> None:
        self.client.get(f"/members/?org={self.account['branch']}", name="branch list")

    @task(2)
    def search(self) -> None:
        q = quote(random.choice("王李张刘陈杨"))
        self.client.get(f"/members/?org={self.account['branch']}&q={q}", name="search")

    @task(2)
    def member_detail(self) -> None:
        member = random.choice(self.account["members"])
        self.client.get(f"/members/{member}/", name="member record")

    @task(1)
    def org_page(self) -> None:
        self.client.get(f"/orgs/{self.account['branch']}/", name="organization")

    @task(1)
    def statistics(self) -> None:
        self.client.get("/stats/", name="statistics")
