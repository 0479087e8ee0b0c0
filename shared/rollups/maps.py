"""The party-building e-map (党建电子地图): county boundaries from the standards
(``Region.boundary``, GeoJSON), organizations placed by their coordinates.

* City map: every county's boundary with its totals; every located organization as a
  marker (name, type, category, county and its own figures in the popup), which the page
  clusters by proximity (leaflet.markercluster); ``clusters`` also gives the aggregates by
  county and organization category (one entry per pair at the mean position).
* Flowing members (流动党员) on the city map: each county's members flowing in from other
  counties of the city (``flowing.inflow``, a layer of circles over the counties and a
  line in the county's popup), and beside the map the places out of the city the city's
  members have gone to, by province (``flowing.by_province``).
* County map: the organizations of the user's subtree, one marker each, coloured by
  category, clustered the same way, with a popup of the organization's own figures.

The tile layer comes from settings (``ROLLUPS_MAP_TILE_URL`` with ``{key}``, e.g.
天地图); without one the map draws the boundaries only. Aggregates only, never a person.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from shared.rollups.selectors import (
    County,
    city_counties,
    county_by_schema,
    org_figures_of,
    org_units,
)
from shared.rollups.views import STATISTICS, managed_paths
from shared.standards.models import CodeTable, OrganizationType, Region
from shared.standards.selectors import code_name
from zhdj.web.access import CITY, public_page, scoped_page

POPUP = (
    ("members.total", "", "党员"),
    ("members.by_sex", "女", "女党员"),
    ("members.by_category", "预备党员", "预备党员"),
    ("members.flowing", "", "流动党员"),
)


INFLOW, BY_PROVINCE = "flowing.inflow", "flowing.by_province"


def tiles() -> dict[str, Any] | None:
    url = settings.ROLLUPS_MAP_TILE_URL
    if not url:
        return None
    return {
        "url": url.replace("{key}", settings.ROLLUPS_MAP_TILE_KEY),
        "subdomains": settings.ROLLUPS_MAP_TILE_SUBDOMAINS or "abc",
        "attribution": settings.ROLLUPS_MAP_ATTRIBUTION,
    }


def _figure(values: dict, metric: str, dimension: str) -> int:
    return values.get(metric, {}).get(dimension, 0)


def _marker(unit, own: dict, type_names: dict[str, str], county: str = "") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """One organization on the map: what its popup says, in Chinese."""
    return {
        "name": unit.name,
        "type_name": type_names.get(unit.type_code, "党组织"),
        "county": county,
        "category": unit.category_code,
        "category_name": code_name(CodeTable.ORG_CATEGORY, unit.category_code, "未填写类别"),
        "lat": float(unit.latitude),
        "lng": float(unit.longitude),
        "figures": {label: _figure(own, m, d) for m, d, label in POPUP},
    }


def _type_names() -> dict[str, str]:
    return dict(OrganizationType.objects.values_list("code", "name"))


def _boundaries(counties: list[County]) -> dict[str, Any]:
    by_code = {c.region_code: c for c in counties}
    features = []
    regions = Region.objects.filter(level=Region.Level.COUNTY, boundary__isnull=False)
    for region in regions.order_by("code"):
        county = by_code.get(region.code)
        props: dict[str, Any] = {"code": region.code, "name": region.name, "rolled": False}
        if county is not None:
            props |= {
                "rolled": True,
                "tenant": county.id,
                "county": county.name,
                "members": _figure(county.values, "members.total", ""),
                "orgs": _figure(county.values, "orgs.total", ""),
                "inflow": _figure(county.values, INFLOW, ""),
            }
        features.append({"type": "Feature", "properties": props, "geometry": region.boundary})
    return {"type": "FeatureCollection", "features": features}


def city_map_payload() -> dict[str, Any]:
    counties = city_counties()
    names = {c.id: c.name for c in counties}
    ids = list(names)
    figures = org_figures_of(ids)
    groups: dict[tuple[int, str], dict[str, Any]] = defaultdict(
        lambda: {"orgs": 0, "lat": 0.0, "lng": 0.0, "figures": defaultdict(int)}
    )
    type_names = _type_names()
    markers = []
    located = org_units(ids).filter(latitude__isnull=False, longitude__isnull=False)
    for unit in located.order_by("tenant_id", "path"):
        own = figures.get((unit.tenant_id, unit.org_id), {})
        markers.append(_marker(unit, own, type_names, names[unit.tenant_id]))
        g = groups[(unit.tenant_id, unit.category_code)]
        g["orgs"] += 1
        g["lat"] += float(unit.latitude)
        g["lng"] += float(unit.longitude)
        for metric, dimension, label in POPUP:
            g["figures"][label] += _figure(own, metric, dimension)
    clusters = [
        {
            "county": names[tenant],
            "tenant": tenant,
            "category": category,
            "category_name": code_name(CodeTable.ORG_CATEGORY, category, "未填写类别"),
            "orgs": g["orgs"],
            "lat": round(g["lat"] / g["orgs"], 6),
            "lng": round(g["lng"] / g["orgs"], 6),
            "figures": dict(g["figures"]),
        }
        for (tenant, category), g in sorted(groups.items())
    ]
    return {
        "scope": "city",
        "boundaries": _boundaries(counties),
        "clusters": clusters,
        "markers": markers,
        "flowing": _flowing(counties),
        "tiles": tiles(),
    }


def _flowing(counties: list[County]) -> dict[str, Any]:
    """Members flowing into each county (from other counties of the city), and the places
    out of the city gone to, by province, most first."""
    provinces: dict[str, int] = defaultdict(int)
    for county in counties:
        for name, n in county.values.get(BY_PROVINCE, {}).items():
            provinces[name] += n
    return {
        "inflow": [
            {"county": c.name, "tenant": c.id, "value": _figure(c.values, INFLOW, "")}
            for c in counties
        ],
        "provinces": [
            {"name": name, "value": n}
            for name, n in sorted(provinces.items(), key=lambda item: (-item[1], item[0]))
            if n
        ],
    }


def county_map_payload(scope: Any) -> dict[str, Any]:
    paths = managed_paths(scope)
    county = county_by_schema(connection.schema_name)
    if county is None:
        return {
            "scope": "county",
            "boundaries": None,
            "clusters": [],
            "markers": [],
            "tiles": tiles(),
        }
    units = org_units([county.id], paths)
    figures = org_figures_of([county.id], paths)
    markers, unlocated = [], 0
    type_names = _type_names()
    for unit in units.order_by("path"):
        if unit.latitude is None or unit.longitude is None:
            unlocated += 1
            continue
        own = figures.get((county.id, unit.org_id), {})
        markers.append(_marker(unit, own, type_names))
    boundaries = _boundaries([county])
    boundaries["features"] = [f for f in boundaries["features"] if f["properties"]["rolled"]]
    return {
        "scope": "county",
        "boundaries": boundaries,
        "clusters": [],
        "markers": markers,
        "unlocated": unlocated,
        "tiles": tiles(),
    }


@never_cache
@public_page(CITY)
def city_map(request: HttpRequest) -> HttpResponse:
    return render(request, "rollups/map.html", {"data_url": "rollups:map_data", "is_city": True})


@never_cache
@public_page(CITY)
def city_map_data(request: HttpRequest) -> JsonResponse:
    return JsonResponse(city_map_payload())


@never_cache
@scoped_page(permission=STATISTICS)
def county_map(request: HttpRequest, scope: Any) -> HttpResponse:
    return render(
        request, "rollups/map.html", {"data_url": "rollups:county_map_data", "is_city": False}
    )


@never_cache
@scoped_page(permission=STATISTICS)
def county_map_data(request: HttpRequest, scope: Any) -> JsonResponse:
    return JsonResponse(county_map_payload(scope))
