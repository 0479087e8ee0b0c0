"""Placing an organization on the e-map (组织位置): the base map of the edit form (the
e-map's tiles when configured, else the county's boundary from the standards) and the
address lookup through the configured geocoder (``zhdj.geocoding``; off when not set, then
the point is picked on the map). The numbers stay the form's latitude/longitude fields."""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache

from shared.customers.models import Tenant
from shared.rollups.boundaries import SEATS
from shared.rollups.maps import tiles
from shared.standards.models import Region
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from zhdj.geocoding import GeocoderError, geocoder
from zhdj.web.access import scoped_page

log = logging.getLogger(__name__)
ADDRESS_MAX = 120


def _region_code() -> str:
    code = Tenant.objects.filter(schema_name=connection.schema_name).values_list(
        "region_code", flat=True
    )
    return code.first() or ""


def map_pick_context(org) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What the edit form's map needs (orgs/_map_pick.html)."""
    tenant = getattr(connection, "tenant", None)
    return {
        "base_url": reverse("orgs:map-base"),
        "geocode_url": reverse("orgs:geocode") if _geocoder_on() else "",
        "address": f"{getattr(tenant, 'name', '')}{org.unit_name or org.name}",
    }


def _geocoder_on() -> bool:
    try:
        return geocoder() is not None
    except GeocoderError:
        return False


@never_cache
@scoped_page(permission=Perm.ORGS_MANAGE)  # the base map of the organization edit form
def map_base(request: HttpRequest, *, scope: Scope) -> JsonResponse:
    code = _region_code()
    boundary = (
        Region.objects.filter(code=code, boundary__isnull=False)
        .values_list("name", "boundary")
        .first()
    )
    features = []
    if boundary is not None:
        features.append(
            {"type": "Feature", "properties": {"name": boundary[0]}, "geometry": boundary[1]}
        )
    lng, lat = SEATS.get(code, (109.735, 38.285))
    return JsonResponse(
        {
            "tiles": tiles(),
            "boundaries": {"type": "FeatureCollection", "features": features},
            "center": [lat, lng],
        }
    )


@never_cache
@scoped_page(permission=Perm.ORGS_MANAGE)
def geocode(request: HttpRequest, *, scope: Scope) -> JsonResponse:
    address = (request.GET.get("address") or "").strip()[:ADDRESS_MAX]
    if not address:
        return JsonResponse({"found": False, "message": "请输入地址。"})
    try:
        service = geocoder()
        if service is None:
            return JsonResponse({"found": False, "message": "未配置地址解析服务，请在地图上点选。"})
        place = service.geocode(address)
    except GeocoderError:
        log.warning("geocoder failed", exc_info=True)
        return JsonResponse({"found": False, "message": "地址解析服务暂时不可用，请在地图上点选。"})
    if place is None:
        return JsonResponse({"found": False, "message": "未找到该地址，请换个写法或在地图上点选。"})
    return JsonResponse(
        {
            "found": True,
            "lat": round(place.lat, 6),
            "lng": round(place.lng, 6),
            "label": place.label,
        }
    )
