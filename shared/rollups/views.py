"""Dashboard pages (全市看板 / 县区看板): the city's on the public site (city and ops
users), each county's on its own host for the subtree the user manages.

The pages render the payload of ``report`` into the HTML (json_script) and re-fetch it
from ``…/data.json`` when the websocket says new figures landed. Reads only the public
rollup tables: a county page never reads the county's own schema for its figures.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from shared.rollups.models import OrgUnit
from shared.rollups.report import city_payload, county_payload
from shared.rollups.selectors import (
    child_units,
    city_counties,
    county_by_id,
    county_by_schema,
    subtree_values,
    totals,
)
from zhdj.web.access import CITY, public_page, scoped_page


def _page(request: HttpRequest, payload: dict[str, Any] | None, **context: Any) -> HttpResponse:
    return render(request, "rollups/dashboard.html", {"payload": payload, **context})


# ------------------------------------------------------------------------------
# City (public host)
# ------------------------------------------------------------------------------
def city_data() -> dict[str, Any]:
    counties = city_counties()
    return city_payload(counties, totals(counties))


@never_cache
@public_page(CITY)
def dashboard(request: HttpRequest) -> HttpResponse:
    return _page(request, city_data(), data_url="rollups:data", is_city=True)


@never_cache
@public_page(CITY)
def dashboard_data(request: HttpRequest) -> JsonResponse:
    return JsonResponse(city_data())


def _drill(tenant_id: int) -> dict[str, Any]:
    county = county_by_id(tenant_id)
    if county is None:
        raise Http404("该区县尚未汇总或不存在")
    return county_payload(
        title=county.name,
        county=county,
        values=county.values,
        units=child_units(county.id, None),
        whole=True,
    )


@never_cache
@public_page(CITY)
def county_detail(request: HttpRequest, tenant_id: int) -> HttpResponse:
    return _page(
        request,
        _drill(tenant_id),
        data_url="rollups:county_detail_data",
        data_arg=tenant_id,
        is_city=True,
        drill=True,
    )


@never_cache
@public_page(CITY)
def county_detail_data(request: HttpRequest, tenant_id: int) -> JsonResponse:
    return JsonResponse(_drill(tenant_id))


# ------------------------------------------------------------------------------
# County (county host): the user's own subtree
# ------------------------------------------------------------------------------
# The permission the county's figures need: tenants.access Perm.STATS_VIEW (the city
# site's apps may not import county apps; tests/zhdj/web/test_access_declared.py keeps
# the two equal).
STATISTICS = "stats.view"


def managed_paths(scope: Any) -> tuple[str, ...] | None:
    """None: the whole county (administrator); else the roots of the subtrees where the
    user's posts carry the statistics permission (others never get here)."""
    return None if scope.is_admin else tuple(scope.paths(STATISTICS))


def county_data(scope: Any) -> dict[str, Any] | None:
    paths = managed_paths(scope)
    county = county_by_schema(connection.schema_name)
    if county is None:
        return None
    if paths is None:
        return county_payload(
            title=county.name,
            county=county,
            values=county.values,
            units=child_units(county.id, None),
            whole=True,
        )
    names = OrgUnit.objects.filter(tenant_id=county.id, path__in=paths).order_by("path")
    return county_payload(
        title="、".join(names.values_list("name", flat=True)) or county.name,
        county=county,
        values=subtree_values(county.id, paths),
        units=child_units(county.id, paths),
        whole=False,
    )


@never_cache
@scoped_page(permission=STATISTICS)
def county_dashboard(request: HttpRequest, scope: Any) -> HttpResponse:
    return _page(request, county_data(scope), data_url="rollups:county_data", is_city=False)


@never_cache
@scoped_page(permission=STATISTICS)
def county_dashboard_data(request: HttpRequest, scope: Any) -> JsonResponse:
    return JsonResponse(county_data(scope) or {"scope": "county", "empty": True})
