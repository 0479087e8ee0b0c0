"""Platform pages: home pages of both sites, health."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from zhdj.health import run_checks
from zhdj.web.access import OPS, open_page, public_page


@open_page
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Machine-readable health on every host (load balancers, Kubernetes probes)."""
    checks = run_checks()
    ok = all(c.ok for c in checks)
    body = {
        "status": "ok" if ok else "degraded",
        "schema": connection.schema_name,
        "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
    }
    return JsonResponse(body, status=200 if ok else 503)


@public_page(OPS)
def health_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/health.html", {"checks": run_checks()})
