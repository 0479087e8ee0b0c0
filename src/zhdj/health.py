"""Health of the platform's parts: database, Redis, Celery (worker + beat)."""

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


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return Check("database", False, type(exc).__name__)
    return Check("database", True, "ok")


def check_redis() -> Check:
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError as exc:
        return Check("redis", False, type(exc).__name__)
    return Check("redis", True, "ok")


def check_celery() -> Check:
    """Beat sends a heartbeat task every 30 s; a worker runs it and stamps Redis."""
    try:
        stamp = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).get(HEARTBEAT_KEY)
    except redis.RedisError as exc:
        return Check("celery", False, type(exc).__name__)
    if stamp is None:
        return Check("celery", False, f"no heartbeat in {HEARTBEAT_TTL} s")
    age = time.time() - float(stamp)
    return Check("celery", True, f"heartbeat {age:.0f} s ago")


def run_checks() -> list[Check]:
    return [check_database(), check_redis(), check_celery()]
