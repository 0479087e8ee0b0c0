"""The county administrator's audit browser."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from tenants.access.scope import Scope
from tenants.audit.forms import AuditFilterForm
from tenants.audit.selectors import TRACKED, audit_rows
from zhdj.web.access import COUNTY_ADMIN, scoped_page
from zhdj.web.query import error_lines, filter_status

PAGE = 50


@never_cache
@scoped_page(COUNTY_ADMIN)
def audit_list(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """Everything the county's history holds: its administrator's page (the role is the
    guard; the scope is the whole county)."""
    form = AuditFilterForm(request.GET or None)
    status = filter_status(form)
    kind, page, rows = "", 1, []
    if status == 200:
        # An unknown kind was "every kind": refused above instead of widened.
        kind = form.cleaned_data["kind"] if form.is_bound else ""
        page = form.cleaned_data["page"] if form.is_bound else 1
        rows = audit_rows(kind or None, limit=PAGE + 1, offset=(page - 1) * PAGE)
    return render(
        request,
        "audit/list.html",
        {
            "rows": rows[:PAGE],
            "has_next": len(rows) > PAGE,
            "page": page,
            "kind": kind,
            "kinds": [(k, v[2]) for k, v in TRACKED.items()],
            "errors": error_lines(form) if status != 200 else [],
        },
        status=status,
    )
