"""Health of the platform's parts: database, Redis, Celery (worker + beat).

Each check carries a machine ``name``/``detail`` (``/readyz``) and what the ops page
shows people: a Chinese ``label`` and ``note`` (no English words on pages)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import connection

from zhdj.tasks import HEARTBEAT_KEY, HEARTBEAT_TTL


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    note: str = ""  # the detail in Chinese, for the page

    @property
    def label(self) -> str:
        return LABELS.get(self.name, "其他组件")


LABELS = {"database": "数据库", "redis": "缓存与消息队列", "celery": "后台任务"}
UNREACHABLE = "无法连接"


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return Check("database", False, type(exc).__name__, UNREACHABLE)
    return Check("database", True, "ok", "连接正常")


def probe_redis(url: str | None = None, *, timeout: float = 1) -> redis.Redis:
    """A Redis client for probes and scrapes (``url``: REDIS_URL by default): it gives up
    within ``timeout`` seconds (connecting: half a second), so an outage makes a probe
    fail, never hang. Use it as a context manager so its socket is closed at once."""
    return redis.Redis.from_url(
        url or settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=0.5
    )


def heartbeat_age() -> float | None:
    """Seconds since a worker ran beat's heartbeat, None without one (raises RedisError)."""
    with probe_redis() as client:
        stamp = client.get(HEARTBEAT_KEY)
    return None if stamp is None else time.time() - float(stamp)


def check_redis() -> Check:
    try:
        with probe_redis() as client:
            client.ping()
    except redis.RedisError as exc:
        return Check("redis", False, type(exc).__name__, UNREACHABLE)
    return Check("redis", True, "ok", "连接正常")


def check_celery() -> Check:
    """Beat sends a heartbeat task every 30 s; a worker runs it and stamps Redis."""
    try:
        age = heartbeat_age()
    except redis.RedisError as exc:
        return Check("celery", False, type(exc).__name__, "无法读取心跳（缓存与消息队列不可用）")
    if age is None:
        return Check(
            "celery",
            False,
            f"no heartbeat in {HEARTBEAT_TTL} s",
            f"{HEARTBEAT_TTL} 秒内未收到心跳，后台任务或定时任务可能未运行",
        )
    return Check("celery", True, f"heartbeat {age:.0f} s ago", f"{age:.0f} 秒前收到心跳")


def readiness_checks() -> list[Check]:
    """What a web process needs to serve (``/readyz``): no Celery."""
    return [check_database(), check_redis()]


def run_checks() -> list[Check]:
    """Everything, for the ops health page (the Celery heartbeat included)."""
    return [check_database(), check_redis(), check_celery()]
