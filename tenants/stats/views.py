"""Party statistics pages (党内统计): the tables and charts, and their Excel export.

Statistics describe organizations: a user whose posts do not carry 查看党内统计
(stats.view), e.g. a plain member, gets a 403.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.stats.export import content_disposition, statistics_workbook
from tenants.stats.forms import StatisticsForm
from tenants.stats.selectors import Statistics, party_statistics
from zhdj.errors import ApplicationError
from zhdj.web.access import scoped_page
from zhdj.web.exports import exported
from zhdj.web.query import refuse_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _statistics(scope: Scope, form: StatisticsForm) -> Statistics | None:
    if form.is_bound and not form.is_valid():
        return None
    org_id, on = form.query()
    try:
        return party_statistics(scope, org_id=org_id, on=on)
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


@never_cache
@scoped_page(permission=Perm.STATS_VIEW)
def overview(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = StatisticsForm(request.GET or None, scope=scope)
    stats = _statistics(scope, form)
    return render(
        request,
        "stats/overview.html",
        {
            "form": form,
            "stats": stats,
            "charts": [t for t in stats.tables if t.chart] if stats else [],
            "query": request.GET.urlencode(),
        },
        status=200 if stats is not None else 400,
    )


@never_cache
@exported("党内统计")
@scoped_page(permission=Perm.STATS_VIEW)
def export(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = StatisticsForm(request.GET or None, scope=scope)
    stats = _statistics(scope, form)
    if stats is None:  # refused filters (or an organization outside the scope): no file
        back = f"{reverse('stats:overview')}?{request.GET.urlencode()}"
        return refuse_export(request, form, title="党内统计", back=back)
    response = HttpResponse(statistics_workbook(stats), content_type=XLSX)
    response["Content-Disposition"] = content_disposition(stats)
    return response
