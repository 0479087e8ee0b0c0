"""The county administrator's audit browser."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from tenants.audit.selectors import TRACKED, audit_rows
from zhdj.web.access import COUNTY_ADMIN, county_page

PAGE = 50


@never_cache
@county_page(COUNTY_ADMIN)
def audit_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind") or None
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    rows = audit_rows(kind, limit=PAGE + 1, offset=(page - 1) * PAGE)
    return render(
        request,
        "audit/list.html",
        {
            "rows": rows[:PAGE],
            "has_next": len(rows) > PAGE,
            "page": page,
            "kind": kind or "",
            "kinds": [(k, v[2]) for k, v in TRACKED.items()],
        },
    )
