"""Shared by the bench scripts and the bench settings: own database names, Redis DB 9.

Never the project's databases: ``zhdj`` and ``test_zhdj`` are refused.
Override the server with BENCH_PG_URL (no database name) and BENCH_REDIS_URL.
"""

from __future__ import annotations

import os
import platform
import re
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / ".out"  # logs and scratch files of the benchmarks (git-ignored)
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:54329").rstrip("/")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:63799/9")
FORBIDDEN_DATABASES = frozenset({"zhdj", "test_zhdj", "postgres", "template0", "template1"})
BASE_DOMAIN = "zhdj-bench.localhost"

DB_PLAIN = "zhdj_bench_plain"
DB_ROUTING = "zhdj_bench_routing"  # shared by the ZHDJ-routing and stock-middleware runs
DB_ONBOARD = "zhdj_bench_onboard"


def check_db_name(name: str) -> str:
    if name in FORBIDDEN_DATABASES or not re.fullmatch(r"zhdj_bench_[a-z0-9_]+", name):
        raise SystemExit(f"refusing to use database {name!r}: bench databases are zhdj_bench_*")
    return name


def force_env(db_name: str) -> None:
    """Point the project's settings (read from the environment) at a bench database.

    Assigned, not setdefault: a DATABASE_URL exported in the shell must never make a
    benchmark drop or load the development database.
    """
    check_db_name(db_name)
    os.environ["DATABASE_URL"] = f"{PG_URL}/{db_name}"
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["CONN_MAX_AGE"] = "60"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
    os.environ["ZHDJ_BASE_DOMAIN"] = BASE_DOMAIN
    os.environ.pop("ZHDJ_CITY_HOST", None)
    os.environ.setdefault("ZHDJ_MASTER_KEY", "22" * 32)
    os.environ["ZHDJ_CACHE_PREFIX"] = "zhdjbench"
    os.environ["ZHDJ_CHANNEL_PREFIX"] = "zhdjbench:asgi"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.pop("SENTRY_DSN", None)


def db_options(app_name: str) -> dict[str, str]:
    """Connection options: an application_name to find our backends in pg_stat_activity,
    and, when BENCH_LOG_STATEMENTS=1, ``log_statement=all`` for this session only."""
    opts = {"application_name": app_name}
    if os.environ.get("BENCH_LOG_STATEMENTS") == "1":
        opts["options"] = "-c log_statement=all"
    return opts


def recreate_database(name: str) -> None:
    import psycopg

    check_db_name(name)
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def flush_redis() -> None:
    """Delete this bench's cache keys in Redis DB 9 (prefix ``zhdjbench``; django-tenants'
    key function makes them ``<schema>:zhdjbench:<version>:<key>``). Not FLUSHDB: other
    benchmarks share DB 9 under their own prefixes."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    if client.connection_pool.connection_kwargs.get("db", 0) in (0, 5):
        raise SystemExit("refusing to use Redis DB 0/5 (development/tests); use DB 9")
    keys = list(client.scan_iter(match="*:zhdjbench:*", count=1000))
    for i in range(0, len(keys), 500):
        client.delete(*keys[i : i + 500])


def machine() -> dict[str, object]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    pg_version = ""
    try:
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres") as conn:
            pg_version = conn.execute("SHOW server_version").fetchone()[0]
    except Exception:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": cpu,
        "ram_gib": mem_gib,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": pg_version,
        "cpu_gauge_ms": cpu_gauge_ms(),
    }


def machine_line(info: dict[str, object]) -> str:
    """The "Machine: …" line the benchmarks print above their figures."""
    return (
        f"Machine: nproc {info['nproc']}, CPU {info['cpu_model']}, RAM {info['ram_gib']} GiB, "
        f"PostgreSQL {info['postgresql']}, Python {info['python']}, CPU gauge "
        f"{info.get('cpu_gauge_ms', '?')} ms (bench/common.py cpu_gauge_ms; lower is faster)"
    )


def cpu_gauge_ms() -> float:
    """Milliseconds of one fixed piece of Python work (hashing, formatting, a dict), best of
    five: the machine's speed at the time of a figure. These machines' speed drifts by up to
    half within an hour (docs/performance.md §0c), so figures taken at different times are
    compared with their gauges beside them. About 30 ms on a fast phase of the usual kind."""
    import hashlib

    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        seen: dict[str, int] = {}
        for i in range(20_000):
            key = hashlib.sha256(f"{i:08d}".encode()).hexdigest()[:8]
            seen[key] = seen.get(key, 0) + i % 7
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 1)


def run(cmd: list[str], env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, **kw)


def child_env(settings_module: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = settings_module
    env["PYTHONPATH"] = f"{ROOT / 'src'}:{ROOT}"
    env.update(extra)
    return env


def code_version(paths: tuple[str, ...]) -> dict[str, object]:
    """Which application code was measured: HEAD, and for each path whether it differs
    from HEAD (uncommitted edits) and a short hash of its content."""
    import hashlib

    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return proc.stdout.strip()

    files = {}
    for path in paths:
        try:
            digest = hashlib.sha256((ROOT / path).read_bytes()).hexdigest()[:12]
        except OSError:
            digest = None
        files[path] = {"sha256_12": digest, "modified": bool(git("status", "--short", path))}
    return {"head": git("rev-parse", "--short", "HEAD"), "files": files}


def free_port() -> int:
    """A loopback port nobody listens on (for a server the bench starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
