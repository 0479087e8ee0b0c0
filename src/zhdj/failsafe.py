"""The cache, failing soft: a stopped or unreachable Redis is a miss, logged, never a 500.

The cache only saves work (progress bars, picker lists); every caller has the database or a
default to fall back on. The short socket timeouts (settings CACHES OPTIONS) bound the cost
of each call while Redis is away; nothing is remembered, so the next call after Redis
returns uses it again. docs/failure.md.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache

logger = logging.getLogger(__name__)


def cache_get(key: str, default: Any = None) -> Any:
    try:
        return cache.get(key, default)
    except Exception:
        logger.warning("cache unavailable (get %s): served without it", key)
        return default


def cache_set(key: str, value: Any, timeout: float | None = None) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("cache unavailable (set %s): not cached", key)


def cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:
        logger.warning("cache unavailable (delete %s)", key)
