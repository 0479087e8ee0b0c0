"""Placing an organization on the map: the edit form's base map and address lookup, the
form saving a picked point, and the demo's locations lying inside their counties."""

from __future__ import annotations

import json
from decimal import Decimal

from django.test import override_settings
from django_tenants.utils import schema_context

from shared.rollups.boundaries import DATA
from tenants.orgs.demo import BRANCH_OFFSETS, TOWNS
from tenants.orgs.demo import seed_county as seed_locations
from tenants.orgs.models import Organization, OrganizationChange
from tests.conftest import logged_in
from zhdj.demo import DISTRICTS


def _branch_id(schema: str) -> int:
    with schema_context(schema):
        return Organization.objects.get(name__endswith="某村党支部", name__startswith="榆阳").pk


def test_the_base_map_is_the_countys_boundary_without_tiles(db, alpha):  # type: ignore[no-untyped-def]
    data = logged_in(alpha.host, "admin").get("/orgs/map-base/").json()
    assert data["tiles"] is None
    [feature] = data["boundaries"]["features"]
    assert feature["properties"]["name"] == "榆阳区"
    assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}


def test_the_edit_form_has_the_map_and_saves_a_picked_point(db, alpha):  # type: ignore[no-untyped-def]
    org_id = _branch_id(alpha.schema)
    admin = logged_in(alpha.host, "admin")
    with override_settings(ZHDJ_GEOCODER=""):
        page = admin.get(f"/orgs/{org_id}/edit/").content.decode()
    assert 'id="map-pick"' in page and "orgs/map-pick.js" in page
    assert 'id="map-geocode"' not in page  # off: the point is picked on the map
    with override_settings(ZHDJ_GEOCODER="double"):
        assert 'id="map-geocode"' in admin.get(f"/orgs/{org_id}/edit/").content.decode()
    response = admin.post(
        f"/orgs/{org_id}/edit/", {"latitude": "38.291234", "longitude": "109.745678"}
    )
    assert response.status_code == 302
    with schema_context(alpha.schema):
        org = Organization.objects.get(pk=org_id)
        assert (org.latitude, org.longitude) == (Decimal("38.291234"), Decimal("109.745678"))


def test_geocoding_an_address_through_the_configured_service(db, alpha):  # type: ignore[no-untyped-def]
    admin = logged_in(alpha.host, "admin")
    with override_settings(ZHDJ_GEOCODER="double"):
        found = admin.get("/orgs/geocode/", {"address": "榆阳区鼓楼街道新建路1号"}).json()
        assert found["found"] and found["label"] == "鼓楼街道"
        assert 38.2 < found["lat"] < 38.4 and 109.6 < found["lng"] < 109.9
        missing = admin.get("/orgs/geocode/", {"address": "火星基地"}).json()
        assert not missing["found"] and "未找到该地址" in missing["message"]
        assert logged_in(alpha.host, "member").get("/orgs/geocode/?address=x").status_code == 403
    with override_settings(ZHDJ_GEOCODER=""):
        off = admin.get("/orgs/geocode/", {"address": "鼓楼街道"}).json()
        assert not off["found"] and "请在地图上点选" in off["message"]


def _inside(point: tuple[float, float], geometry: dict) -> bool:
    """Ray casting over the polygons' outer rings (the shipped cells have no holes)."""
    x, y = point
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    for polygon in polygons:
        ring, inside = polygon[0], False
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        if inside:
            return True
    return False


def test_the_demo_locations_lie_inside_their_counties():
    boundaries = json.loads(DATA.read_text(encoding="utf-8"))
    by_code = {
        str(f["properties"].get("code") or f["properties"].get("adcode")): f["geometry"]
        for f in boundaries["features"]
    }
    for district in DISTRICTS:
        for town in district.towns:
            lat, lng = TOWNS[town]
            for dlat, dlng in ((0, 0), *BRANCH_OFFSETS):
                assert _inside((lng + dlng, lat + dlat), by_code[district.region_code]), town


def test_the_demo_seeding_goes_through_the_services_once(db, alpha):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        root = Organization.objects.get_root_nodes().get()
        Organization.objects.filter(pk=root.pk).update(latitude=None, longitude=None)
        seed_locations()
        root.refresh_from_db()
        assert root.latitude is not None and 38.2 < root.latitude < 38.4
        changes = OrganizationChange.objects.filter(org=root).count()
        seed_locations()  # idempotent: nothing changes the second time
        assert OrganizationChange.objects.filter(org=root).count() == changes
