"""Redis and PostgreSQL fail under a running daphne and Celery worker, and come back.

Nothing shared is touched: the processes get a private ``redis-server`` on a free port
(stopped with SIGKILL, started again on the same port) and reach PostgreSQL through a TCP
proxy of this test (cut = an outage: listener closed, every connection reset; restore = the
server back; then ``pg_terminate_backend`` of their connections, as a restart does).

During an outage the pages say so in Chinese (a 503, never a 500) within a few seconds, the
pages that need no Redis keep working while Redis is away, and afterwards everything works
again by itself (issue 17, Failure; docs/failure.md).
"""

from __future__ import annotations

import contextlib
import select
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.db import connection

from tests.support.live import (
    Process,
    daphne_command,
    free_port,
    http_login,
    http_request,
    process_env,
    worker_command,
)
from tests.support.world import ALPHA, PASSWORD

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]

QUICK = 6.0  # seconds a page may take while a dependency is down
HOST = ALPHA.host


class TcpProxy:
    """127.0.0.1:<port> → ``target``; ``cut()`` is an outage, ``restore()`` the restart."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes accept(); close() alone does not
            listener.close()
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for a, b in pairs:
            for s in (a, b):
                try:
                    s.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    )
                    s.close()  # RST: the client sees the server gone
                except OSError:
                    pass

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                ready, _, _ = select.select([listener], [], [], 0.2)
                if self._listener is not listener:
                    return
                if not ready:
                    continue
                client, _ = listener.accept()
            except (OSError, ValueError):
                return
            try:
                upstream = socket.create_connection(self.target, timeout=2)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pump(a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        try:
            while True:
                readable, _, _ = select.select([a, b], [], [], 1.0)
                for s in readable:
                    data = s.recv(65536)
                    if not data:
                        return
                    peers[s].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()


class PrivateRedis:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with redis.Redis.from_url(self.url, socket_timeout=0.5) as client:
                    client.ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def stack(django_db_setup, tmp_path) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    db = connection.settings_dict
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"])))
    cache = PrivateRedis(tmp_path)
    cache.start()
    env = process_env(db_host="127.0.0.1", db_port=proxy.port, REDIS_URL=cache.url)
    port = free_port()
    daphne = Process(daphne_command(port), tmp_path / "daphne.log", env=env)
    worker = Process(worker_command(), tmp_path / "worker.log", env=env)
    try:
        deadline = time.monotonic() + 40
        while True:
            assert daphne.proc.poll() is None, daphne.output()
            assert worker.proc.poll() is None, worker.output()
            try:
                up = http_request(port, "city.localhost", "GET", "/livez")[0] == 200
            except OSError:
                up = False
            if up and "ready." in worker.output():
                break
            assert time.monotonic() < deadline, daphne.output() + worker.output()
            time.sleep(0.2)
        yield {"port": port, "proxy": proxy, "redis": cache, "daphne": daphne, "worker": worker}
    finally:
        daphne.stop()
        worker.stop()
        cache.kill()
        proxy.cut()


def _get(port: int, path: str, cookies: dict[str, str] | None = None) -> tuple[int, str, float]:
    # Probes send the base domain as Host, as the chart's and the Dockerfile's do.
    host = "localhost" if path in ("/livez", "/readyz") else HOST
    started = time.monotonic()
    status, _, body = http_request(port, host, "GET", path, cookies=cookies)
    return status, body, time.monotonic() - started


def _until(check, timeout: float = 20.0, what: str = "") -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"did not recover: {what}"
        time.sleep(0.3)


def _worker_runs(url: str, task: str, *args: object) -> object:
    app = Celery("probe", broker=url, backend=url)
    try:
        return app.send_task(task, args=args).get(timeout=15)
    finally:
        app.close()


def test_redis_and_postgresql_outages_under_live_processes(stack, committed):
    port, proxy, cache = stack["port"], stack["proxy"], stack["redis"]
    member = http_login(port, HOST, "member", PASSWORD)
    admin = http_login(port, HOST, "admin", PASSWORD)
    assert _get(port, "/", member)[0] == 200
    assert _get(port, "/readyz")[0] == 200
    assert (
        _worker_runs(cache.url, "zhdj.tasks.for_each_active_tenant", "zhdj.tasks.current_schema")
        >= 2
    )

    # -- Redis stopped: what needs no Redis keeps working, the rest says so in Chinese ----------
    cache.kill()
    status, body, took = _get(port, "/readyz")
    assert status == 503 and took < QUICK
    assert _get(port, "/livez")[0] == 200
    for cookies, path in ((member, "/"), (admin, "/"), (admin, "/members/"), (admin, "/dues/")):
        status, body, took = _get(port, path, cookies)
        assert status == 200, (path, status, body[:300])
        assert took < QUICK, (path, took)
    fresh = http_login(port, HOST, "member", PASSWORD)  # sessions need no Redis
    assert _get(port, "/", fresh)[0] == 200
    # A page that needs Redis (the reset code is kept in the cache): Chinese 503, quickly.
    status, headers, body = http_request(port, HOST, "GET", "/accounts/password/forgot/")
    assert status == 200, (status, body[:300])
    csrf = dict(c.split("=", 1) for c in headers["set-cookie"].split("\n") if "=" in c)
    token = next((v.split(";")[0] for k, v in csrf.items() if k.endswith("csrftoken")), "")
    started = time.monotonic()
    status, _, body = http_request(
        port,
        HOST,
        "POST",
        "/accounts/password/forgot/",
        body={"username": "member", "phone": "13900000003", "csrfmiddlewaretoken": token},
        cookies={"csrftoken": token},
    )
    assert time.monotonic() - started < QUICK
    assert status == 503 and "缓存与消息队列暂时不可用，请稍后再试" in body, (status, body[:300])

    # -- Redis back: everything recovers by itself ----------------------------------------------
    cache.start()
    _until(lambda: _get(port, "/readyz")[0] == 200, what="readyz after Redis")
    assert _get(port, "/", member)[0] == 200
    assert _worker_runs(cache.url, "zhdj.tasks.heartbeat")  # the worker reconnected

    # -- PostgreSQL gone (the proxy cut): a Chinese 503 page, quickly ---------------------------
    proxy.cut()
    status, body, took = _get(port, "/", member)
    assert status == 503, (status, body[:500])
    assert "数据库暂时不可用，请稍后再试" in body and took < QUICK
    status, body, took = _get(port, "/members/", admin)
    assert status == 503 and took < QUICK
    assert _get(port, "/livez")[0] == 200
    assert _get(port, "/readyz")[0] == 503

    # -- PostgreSQL back: the next request works --------------------------------------------------
    proxy.restore()
    _until(lambda: _get(port, "/", member)[0] == 200, timeout=10, what="home after PostgreSQL")
    assert _get(port, "/members/", admin)[0] == 200
    assert _get(port, "/readyz")[0] == 200
    assert (
        _worker_runs(cache.url, "zhdj.tasks.for_each_active_tenant", "zhdj.tasks.current_schema")
        >= 2
    )

    # -- A restart as PostgreSQL does it: every server connection of theirs terminated ------------
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    _until(lambda: _get(port, "/", member)[0] == 200, timeout=10, what="home after terminate")
    assert (
        _worker_runs(cache.url, "zhdj.tasks.for_each_active_tenant", "zhdj.tasks.current_schema")
        >= 2
    )
