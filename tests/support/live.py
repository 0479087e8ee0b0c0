"""Real processes for tests: daphne (HTTP + websockets) and a Celery worker, both on
the test database and the test Redis database."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlparse

from django.conf import settings
from django.db import connection

from tests.support import otp

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_env(
    *, db_host: str | None = None, db_port: int | None = None, **overrides: str
) -> dict[str, str]:
    """The environment of a test process: the test database (``db_host``/``db_port``: reach
    it elsewhere, e.g. through a proxy) and the test Redis; ``overrides`` replace any of it."""
    db = connection.settings_dict
    host = db_host or db["HOST"]
    port = db_port or db["PORT"]
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="zhdj.settings.test",
        DATABASE_URL=f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        PYTHONPATH=f"{ROOT / 'src'}:{ROOT}",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def daphne_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "daphne",
        "-b",
        "127.0.0.1",
        "-p",
        str(port),
        "zhdj.asgi:application",
    ]


def worker_command() -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "zhdj",
        "worker",
        "-P",
        "solo",
        "-l",
        "info",
        "--without-gossip",
        "--without-mingle",
    ]


class Process:
    def __init__(self, args: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.log = log
        self.handle = log.open("wb")
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env if env is not None else process_env(),
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.handle.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_daphne(log: Path) -> tuple[Process, int]:
    port = free_port()
    daphne = Process(daphne_command(port), log)
    deadline = time.time() + 30
    while time.time() < deadline:
        if daphne.proc.poll() is not None:
            raise RuntimeError("daphne exited:\n" + daphne.output())
        try:
            status, _, _ = http_request(port, "city.localhost", "GET", "/healthz")
            if status in (200, 503):
                return daphne, port
        except OSError:
            time.sleep(0.2)
    daphne.stop()
    raise RuntimeError("daphne did not start:\n" + daphne.output())


@contextmanager
def other_workers_paused(queue: str = "celery") -> Iterator[None]:
    """Every running worker stops consuming ``queue`` for the block (the session's worker of
    ``celery_worker_process``, if a test started it): a test that starts its own worker, to
    read its log or kill it, needs every task it sends to reach that worker. They resume
    after the block; stop the test's own worker inside it."""
    from zhdj.celery import app

    paused = app.control.cancel_consumer(queue, reply=True, timeout=2)
    try:
        yield
    finally:
        if paused:
            app.control.add_consumer(queue, reply=True, timeout=2)


def start_worker(log: Path, *, beat: bool = False) -> Process:
    args = worker_command()
    if beat:
        args += ["-B", "-s", str(log.with_suffix(".schedule"))]
    worker = Process(args, log)
    deadline = time.time() + 40
    while time.time() < deadline:
        if worker.proc.poll() is not None:
            raise RuntimeError("worker exited:\n" + worker.output())
        if "ready." in worker.output():
            return worker
        time.sleep(0.2)
    worker.stop()
    raise RuntimeError("worker did not start:\n" + worker.output())


def http_request(
    port: int,
    host: str,
    method: str,
    path: str,
    *,
    body: dict | None = None,
    cookies: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": host}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    data = None
    if body is not None:
        data = urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://{host}:{port}{path}"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    text = response.read().decode(errors="replace")
    resp_headers = {k.lower(): v for k, v in response.getheaders() if k.lower() != "set-cookie"}
    resp_headers["set-cookie"] = "\n".join(
        v for k, v in response.getheaders() if k.lower() == "set-cookie"
    )
    conn.close()
    return response.status, resp_headers, text


def _cookies(set_cookie: str) -> dict[str, str]:
    return dict(re.findall(r"(?:^|\n)([^=\s]+)=([^;]*)", set_cookie))


def http_login(port: int, host: str, username: str, password: str) -> dict[str, str]:
    """Log in through the real login page; returns the cookies of the session."""
    _, headers, _ = http_request(port, host, "GET", "/accounts/login/")
    cookies = _cookies(headers["set-cookie"])
    status, headers, _ = http_request(
        port,
        host,
        "POST",
        "/accounts/login/",
        body={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": cookies["csrftoken"],
        },
        cookies=cookies,
    )
    assert status == 302, f"login of {username} on {host} failed ({status})"
    cookies.update(_cookies(headers["set-cookie"]))
    location = urlparse(headers.get("location", "")).path
    if location == otp.VERIFY_PATH:  # 动态口令, for the roles that require it
        status, headers, _ = http_request(
            port,
            host,
            "POST",
            headers["location"],
            body={
                "code": otp.code_for(host, username),
                "csrfmiddlewaretoken": cookies["csrftoken"],
            },
            cookies=cookies,
        )
        assert status == 302, f"动态验证码 of {username} on {host} refused ({status})"
        cookies.update(_cookies(headers["set-cookie"]))
    return cookies
