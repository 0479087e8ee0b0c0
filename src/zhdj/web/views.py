"""Platform pages: home pages of both sites, health."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from zhdj.health import check_celery, readiness_checks, run_checks
from zhdj.web.access import OPS, open_page, public_page


@open_page
@never_cache
@require_GET
def livez(request: HttpRequest) -> JsonResponse:
    """Liveness (Kubernetes livenessProbe, Docker HEALTHCHECK): the process answers. It asks
    no dependency: a database or Redis outage must not get every web process restarted."""
    return JsonResponse({"status": "ok"})


@open_page
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness (load balancers, readinessProbe): PostgreSQL and Redis answer. Celery is
    not asked (busy workers or a stopped beat must not take web pods out of service); its
    heartbeat is on the ops health page. ``/healthz`` is the same, kept for compatibility."""
    checks = readiness_checks()
    ok = all(c.ok for c in checks)
    body = {
        "status": "ok" if ok else "degraded",
        "schema": connection.schema_name,
        "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
    }
    return JsonResponse(body, status=200 if ok else 503)


@open_page
@never_cache
@require_GET
def celeryz(request: HttpRequest) -> JsonResponse:
    """Celery's own probe (the worker's and beat's monitoring, never a web process's
    readiness): 200 while beat's heartbeat is fresh — a worker ran it within the last
    ``HEARTBEAT_TTL`` seconds — else 503."""
    check = check_celery()
    body = {"status": "ok" if check.ok else "down", "detail": check.detail}
    return JsonResponse(body, status=200 if check.ok else 503)


healthz = readyz


@public_page(OPS)
def health_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/health.html", {"checks": run_checks()})
