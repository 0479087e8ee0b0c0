"""Host → tenant resolution with a per-process cache (租户路由缓存).

Stock django-tenants looks the Domain table up on every request. Here each process
keeps a small map of host → tenant and drops it whenever a tenant or a domain
changes anywhere:

* every change publishes an invalidation on a Redis channel after commit (and bumps a
  generation counter);
* each process runs a listener thread subscribed to that channel; while it is
  subscribed, a request costs no database query and no Redis round trip;
* while the listener is not subscribed (starting, Redis restarting), each request reads
  the generation counter instead (one Redis GET) and a new value drops the map; if Redis
  cannot be reached at all, the database answers every request.

A lookup that raced with an invalidation is not stored (the *epoch* guard), so a stale
route never outlives the invalidation that should have removed it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from functools import cache

import redis
from django.conf import settings
from django.db import connection, transaction

from shared.customers.models import Domain, Tenant

logger = logging.getLogger(__name__)

GENERATION_KEY = "zhdj:tenancy:generation"
MAX_ENTRIES = 10_000
RETRY_SECONDS = 1.0
# The listener pings Redis this often and gives the connection up when a pong is this late:
# a connection that died silently is noticed within PONG_DEADLINE seconds.
PING_EVERY = 5.0
PONG_DEADLINE = 12.0


@cache
def channel() -> str:
    """The invalidation channel. Pub/sub ignores Redis database numbers, so the name carries
    the database and the cache prefix: development, tests, benchmarks (or staging beside
    production) on one Redis never clear each other's maps."""
    db = redis.connection.parse_url(settings.REDIS_URL).get("db", 0)
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return f"zhdj:{prefix}:{db}:tenancy:invalidate"


@dataclass(frozen=True)
class Route:
    """Where a host goes: a tenant (county) or the public (city) site."""

    tenant: Tenant | None  # None: the public site

    @property
    def is_public(self) -> bool:
        return self.tenant is None


PUBLIC_ROUTE = Route(tenant=None)


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5)


@cache
def public_hosts() -> frozenset[str]:
    return frozenset({settings.ZHDJ_CITY_HOST, settings.ZHDJ_BASE_DOMAIN})


class HostResolver:
    """Process-local host map, invalidated by Redis pub/sub (or the generation counter)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, Route | None] = {}
        self._epoch = 0  # bumped by every invalidation this process sees
        self._generation: bytes | None = None  # fallback mode: the counter the map is valid for
        self._live = False  # the listener is subscribed
        self._pid: int | None = None  # the process that started the listener

    # -- requests -----------------------------------------------------------------
    def resolve(self, host: str) -> Route | None:
        """Route for ``host`` (lower-cased, without port), or None if unknown."""
        if host in public_hosts():
            return PUBLIC_ROUTE
        self._ensure_listener()
        if not self._live and not self._check_generation():
            return self._lookup(host)  # Redis unreachable: no caching at all
        with self._lock:
            if host in self._routes:
                return self._routes[host]
            epoch = self._epoch
        route = self._lookup(host)
        with self._lock:
            if epoch == self._epoch and len(self._routes) < MAX_ENTRIES:
                self._routes[host] = route
        return route

    def _check_generation(self) -> bool:
        """Fallback mode: drop the map if the counter moved. False if Redis is down."""
        try:
            generation = _redis().get(GENERATION_KEY) or b"0"
        except redis.RedisError:
            logger.warning("tenant routing: Redis unavailable, resolving from the database")
            return False
        if generation != self._generation:
            self.clear()
            self._generation = generation
        return True

    @staticmethod
    def _lookup(host: str) -> Route | None:
        # The Domain table lives in public; make sure this query reads it there.
        if connection.schema_name != "public":
            connection.set_schema_to_public()
        domain = Domain.objects.select_related("tenant").filter(domain=host).first()
        if domain is None:
            return None
        return Route(tenant=domain.tenant)

    def clear(self) -> None:
        with self._lock:
            self._routes.clear()
            self._epoch += 1

    # -- the listener ---------------------------------------------------------------
    def start(self) -> None:
        """Start the listener now (web processes call this when they load the middleware,
        so the first requests are served from a live map)."""
        self._ensure_listener()

    def _ensure_listener(self) -> None:
        pid = os.getpid()
        if self._pid == pid:
            return
        with self._lock:
            if self._pid == pid:
                return
            # A fresh process (or a fork): nothing inherited is trusted.
            self._pid, self._live, self._generation = pid, False, None
            self._routes.clear()
            self._epoch += 1
        threading.Thread(target=self._listen, name="zhdj-route-listener", daemon=True).start()

    def _listen(self) -> None:
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=1,
            socket_timeout=PONG_DEADLINE,
            socket_keepalive=True,
        )
        while True:
            try:
                with client.pubsub(ignore_subscribe_messages=False) as pubsub:
                    self._follow(pubsub)
            except Exception:
                logger.warning("tenant routing: invalidation listener lost; retrying")
            self._live = False
            self.clear()
            time.sleep(RETRY_SECONDS)

    def _follow(self, pubsub: redis.client.PubSub) -> None:
        """Read invalidations; ping regularly and give up when a pong is overdue."""
        pubsub.subscribe(channel())
        last_pong = last_ping = time.monotonic()
        while True:
            message = pubsub.get_message(timeout=1.0)
            now = time.monotonic()
            if message is not None:
                kind = message["type"]
                if kind == "subscribe":
                    # Whatever changed while we were not listening is unknown.
                    self.clear()
                    self._live = True
                elif kind == "message":
                    self.clear()
                elif kind == "pong":
                    last_pong = now
            if now - last_ping >= PING_EVERY:
                pubsub.ping()
                last_ping = now
            if now - last_pong > PONG_DEADLINE:
                raise ConnectionError("no pong from Redis")


resolver = HostResolver()


def invalidate_routes() -> None:
    """Drop every process's host map once the current transaction commits."""

    def broadcast() -> None:
        resolver.clear()
        try:
            client = _redis()
            client.incr(GENERATION_KEY)
            client.publish(channel(), b"1")
        except redis.RedisError:
            logger.exception("tenant routing: could not broadcast the invalidation")

    transaction.on_commit(broadcast)
