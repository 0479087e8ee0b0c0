"""Mark the current county's rollup dirty after a change (debounced refresh).

Tenant services call ``rollup_mark_dirty()`` from ``transaction.on_commit`` after a
write that changes a dashboard figure. It costs one Redis ``SET NX``: the first change
of a quiet county sets ``<schema>:rollups:dirty`` and schedules one refresh
``ROLLUPS_DEBOUNCE_SECONDS`` later; further changes before that refresh starts find
the key set and do nothing (one refresh for a burst of changes). The refresh deletes the
key before it reads the county, so a change made while it runs schedules the next one.

If Redis cannot be reached the write still succeeds: the periodic full rollup
(``ROLLUPS_FULL_EVERY_SECONDS``) brings the figures up to date.
"""

from __future__ import annotations

import logging
from functools import cache

import redis
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

logger = logging.getLogger(__name__)


def dirty_key(schema: str) -> str:
    return f"{schema}:rollups:dirty"


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)


def rollup_schedule(*, schema: str, countdown: float = 0.0) -> None:
    """Send one refresh of ``schema`` (the task carries the schema and runs there).
    Never raises: callers run it after their commit, where a broker outage must not undo
    or fail their work (the periodic rollup catches up)."""
    from shared.rollups.tasks import rollup_refresh

    try:
        with schema_context(schema):
            rollup_refresh.apply_async(countdown=countdown)
    except Exception:
        logger.exception("could not schedule the rollup of %s", schema)


def rollup_mark_dirty() -> None:
    """The current county changed: refresh its rollup soon (at most one refresh queued)."""
    schema = connection.schema_name
    if not schema or schema == "public":
        return
    try:
        first = _redis().set(dirty_key(schema), "1", nx=True, ex=settings.ROLLUPS_DIRTY_TTL_SECONDS)
        if first:
            rollup_schedule(schema=schema, countdown=settings.ROLLUPS_DEBOUNCE_SECONDS)
    except Exception:  # never fail a committed write; the periodic rollup catches up
        logger.exception("could not mark the rollup of %s dirty", schema)


def rollup_clear_dirty(schema: str) -> None:
    try:
        _redis().delete(dirty_key(schema))
    except redis.RedisError:
        logger.warning("could not clear the dirty mark of %s", schema)
