"""Prometheus metrics: requests by view and county, latency, Celery tasks and queue depth,
the age of each county's rollup (docs/operations.md, observability).

* ``MetricsMiddleware`` (outermost) counts and times every request by route name, county
  schema, method and status, and answers ``GET /metrics`` itself, before any host check or
  tenant routing: a scraper reaches a process by its address. It answers only a client in
  ``ZHDJ_METRICS_NETWORKS`` (loopback and the private ranges) whose request did not come
  through the public proxy (no ``X-Forwarded-For``); anyone else gets the ordinary 404.
  nginx refuses ``/metrics`` as well.
* Several processes (gunicorn workers, Celery's pool) write to one folder when
  ``PROMETHEUS_MULTIPROC_DIR`` is set, and a scrape of any of them adds all up
  (prometheus_client's multiprocess mode; deploy/gunicorn.conf.py clears a dead worker's
  files). A Celery worker serves its own on ``ZHDJ_WORKER_METRICS_PORT``.
* Read at scrape time from PostgreSQL and Redis: the Celery queue length, the heartbeat's
  age and every active county's rollup age.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

METRICS_PATH = "/metrics"
DEFAULT_NETWORKS = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16"

REQUESTS = Counter(
    "zhdj_http_requests_total",
    "HTTP requests answered, by route, county schema, method and status.",
    ["view", "tenant", "method", "status"],
)
LATENCY = Histogram(
    "zhdj_http_request_duration_seconds",
    "Time to answer an HTTP request, by route and county schema.",
    ["view", "tenant"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
TASKS = Counter(
    "zhdj_celery_tasks_total", "Celery tasks finished, by task and state.", ["task", "state"]
)
TASK_SECONDS = Histogram(
    "zhdj_celery_task_duration_seconds",
    "Time a Celery task ran, by task.",
    ["task"],
    buckets=(0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 1800.0),
)


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    raw = os.environ.get("ZHDJ_METRICS_NETWORKS", DEFAULT_NETWORKS)
    return [ipaddress.ip_network(n.strip()) for n in raw.split(",") if n.strip()]


def may_scrape(request: HttpRequest) -> bool:
    if "HTTP_X_FORWARDED_FOR" in request.META:  # came through the public proxy
        return False
    try:
        client = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(client in net for net in _networks())


def registry() -> CollectorRegistry:
    """All processes' metrics (multiprocess folder) or this process's, plus the figures
    read at scrape time."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        reg = CollectorRegistry()
        multiprocess.MultiProcessCollector(reg)
    else:
        reg = CollectorRegistry()
        reg.register(_Process())
    reg.register(PlatformCollector())
    return reg


class _Process(Collector):
    """This process's own metrics (the default registry), when there is no shared folder."""

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()


class PlatformCollector(Collector):
    """Figures read when scraped: Celery's queue and heartbeat, each county's rollup age."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from _celery()
        yield from _rollups()


def _celery() -> Iterator[GaugeMetricFamily]:
    import redis
    from django.conf import settings

    from zhdj.health import heartbeat_age, probe_redis

    queue = GaugeMetricFamily(
        "zhdj_celery_queue_length", "Tasks waiting in a Celery queue.", labels=["queue"]
    )
    beat = GaugeMetricFamily(
        "zhdj_celery_heartbeat_age_seconds", "Seconds since a worker ran beat's heartbeat."
    )
    try:
        with probe_redis(settings.CELERY_BROKER_URL) as broker:
            queue.add_metric(["celery"], broker.llen("celery"))
        age = heartbeat_age()
    except redis.RedisError:
        return  # no figures rather than wrong ones; /readyz says Redis is down
    if age is not None:
        beat.add_metric([], age)
    yield queue
    yield beat


def _rollups() -> Iterator[GaugeMetricFamily]:
    from django.db import DatabaseError
    from django.utils import timezone

    from shared.customers.models import Tenant
    from shared.rollups.models import TenantRollup

    age = GaugeMetricFamily(
        "zhdj_rollup_age_seconds",
        "Seconds since a county's figures were last rolled up for the city dashboard.",
        labels=["tenant"],
    )
    try:
        rows = TenantRollup.objects.filter(tenant__status=Tenant.Status.ACTIVE).values_list(
            "tenant__schema_name", "finished_at"
        )
        now = timezone.now()
        for schema, finished in rows:
            age.add_metric([schema], (now - finished).total_seconds())
    except DatabaseError:
        return
    yield age


def scrape(request: HttpRequest) -> HttpResponse:
    if not may_scrape(request):
        return HttpResponseNotFound()
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Outermost: times everything inside it; serves ``/metrics`` before the rest runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == METRICS_PATH:
            return scrape(request)
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "unmatched"
        tenant = getattr(getattr(request, "tenant", None), "schema_name", None) or "none"
        REQUESTS.labels(view, tenant, request.method, str(response.status_code)).inc()
        LATENCY.labels(view, tenant).observe(time.perf_counter() - start)
        return response


# --- Celery ---------------------------------------------------------------------------

_started: dict[str, float] = {}


def task_started(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _started[task_id] = time.perf_counter()


def task_finished(
    task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any
) -> None:
    begun = _started.pop(task_id or "", None)
    name = getattr(task, "name", None) or "unknown"
    TASKS.labels(name, state or "UNKNOWN").inc()
    if begun is not None:
        TASK_SECONDS.labels(name).observe(time.perf_counter() - begun)


def prepare_folder(**_: Any) -> None:
    """Before a Celery worker starts its pool: an empty ``PROMETHEUS_MULTIPROC_DIR`` (the
    figures of an earlier run are not this one's). gunicorn does the same in
    deploy/gunicorn.conf.py."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def serve_worker_metrics(**_: Any) -> None:
    """In the Celery worker's main process: its pool's metrics on
    ``ZHDJ_WORKER_METRICS_PORT`` (with ``PROMETHEUS_MULTIPROC_DIR``), if set."""
    port = os.environ.get("ZHDJ_WORKER_METRICS_PORT")
    if not port:
        return
    from prometheus_client import start_http_server

    reg = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(reg)
    else:
        reg.register(_Process())
    addr = os.environ.get("ZHDJ_WORKER_METRICS_ADDR", "127.0.0.1")
    start_http_server(int(port), addr=addr, registry=reg)
