"""Outages of PostgreSQL or Redis: a Chinese 503 instead of a 500, and recovery by itself.

Two ways an outage reaches a response:

* a view raised ``OperationalError``/``InterfaceError`` (database) or a Redis / broker
  connection error: :class:`OutageMiddleware` turns it into the 503 page (or JSON on /api/);
* it was raised in a middleware or outside any view (the host map's database lookup, the
  session saved after the view): Django turns it into the 500 handler, which asks
  :func:`outage_response` whether a dependency is down, and if so answers 503 instead.

Nothing here keeps state: the next request after the dependency returns is served as usual
(``CONN_HEALTH_CHECKS`` replaces a dead database connection, redis-py reconnects).
docs/failure.md.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

DATABASE = "database"
REDIS = "redis"
MESSAGES = {
    DATABASE: ("数据库暂时不可用", "数据库暂时不可用，请稍后再试。"),
    REDIS: ("缓存与消息队列暂时不可用", "缓存与消息队列暂时不可用，请稍后再试。"),
}
RETRY_AFTER_SECONDS = 15


def _redis_errors() -> tuple[type[BaseException], ...]:
    kinds: list[type[BaseException]] = [redis.RedisError]
    try:
        from kombu.exceptions import OperationalError as KombuOperationalError

        kinds.append(KombuOperationalError)
    except ImportError:  # pragma: no cover - kombu comes with Celery
        pass
    return tuple(kinds)


REDIS_ERRORS = _redis_errors()


def outage_kind(exc: BaseException | None) -> str | None:
    """Which dependency ``exc`` (or an exception in its chain) says is down, if any."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OperationalError | InterfaceError):
            return DATABASE
        if isinstance(exc, REDIS_ERRORS):
            return REDIS
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def probe() -> str | None:
    """Ask the dependencies themselves (short timeouts): which one is down, if any."""
    try:
        import psycopg

        db = settings.DATABASES["default"]
        psycopg.connect(
            dbname=db["NAME"],
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            connect_timeout=2,
        ).close()
    except Exception:
        return DATABASE
    try:
        from zhdj.health import probe_redis

        with probe_redis(timeout=0.5) as client:
            client.ping()
    except redis.RedisError:
        return REDIS
    return None


def outage_response(request: HttpRequest | None, kind: str) -> HttpResponse:
    """The 503 answer: JSON for the API, else a page that needs neither database nor Redis."""
    title, message = MESSAGES[kind]
    if request is not None and request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": message}, status=503, json_dumps_params={"ensure_ascii": False}
        )
    else:
        html = render_to_string(
            "errors/503.html",
            {"kind": kind, "title": title, "message": message, "retry": RETRY_AFTER_SECONDS},
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _forget_broken_connection() -> None:
    """A connection that failed mid-request is closed now (the next request opens a new one
    instead of finding a dead socket)."""
    try:
        if connection.connection is not None and not connection.is_usable():
            connection.close()
    except DatabaseError:
        pass


class OutageMiddleware:
    """A view's database or Redis outage → a Chinese 503 (logged, not a 500 traceback)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        kind = outage_kind(exception)
        if kind is None:
            return None
        logger.warning(
            "outage (%s) during %s %s: %r", kind, request.method, request.path, exception
        )
        if kind == DATABASE:
            _forget_broken_connection()
        return outage_response(request, kind)


def outage_for_server_error(request: HttpRequest) -> HttpResponse | None:
    """For the 500 handler: a 503 when the failure was (or looks like) an outage."""
    kind = outage_kind(sys.exc_info()[1]) or probe()
    if kind is None:
        return None
    logger.warning("outage (%s) during %s %s", kind, request.method, request.path)
    if kind == DATABASE:
        _forget_broken_connection()
    return outage_response(request, kind)
