"""API rate limits (DRF throttles): per signed-in user and per anonymous address.

The counters live in the cache (Redis, keys prefixed per county). When the cache cannot
be reached the API must still answer: a throttle that cannot count lets the request
through, logs the outage once (and once more when the cache works again), and never
turns a Redis outage into a 500. Rates: ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``
(``ZHDJ_API_THROTTLE_USER``, ``ZHDJ_API_THROTTLE_ANON``), read at each request so that
a changed setting applies. An anonymous client is its address as
``zhdj.web.client.client_ip`` reads it (from the right of X-Forwarded-For).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from zhdj.web.client import client_ip

log = logging.getLogger(__name__)


class _Outage:
    """Whether the last count failed: one log line per outage, not one per request."""

    def __init__(self) -> None:
        self.down = False
        self._lock = threading.Lock()

    def failed(self, exc: Exception) -> None:
        with self._lock:
            if self.down:
                return
            self.down = True
        log.warning("API 限流计数暂不可用（缓存无法访问），请求照常放行: %s", exc)

    def worked(self) -> None:
        if self.down:
            with self._lock:
                self.down = False
            log.warning("API 限流计数已恢复")


outage = _Outage()


class FailOpenMixin:
    """A throttle whose counting failure lets the request through."""

    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            allowed = super().allow_request(request, view)  # type: ignore[misc]
        except Exception as exc:  # the cache client's errors: connection, timeout, …
            outage.failed(exc)
            return True
        if getattr(self, "key", None) is not None:  # it did count, in the cache
            outage.worked()
        return allowed

    def get_ident(self, request: Any) -> str:
        return client_ip(request) or "-"


class UserThrottle(FailOpenMixin, UserRateThrottle):
    """Per signed-in user (anonymous requests: by address, as AnonThrottle)."""


class AnonThrottle(FailOpenMixin, AnonRateThrottle):
    """Per address, for requests without a login."""
