"""An administrator places an organization by clicking on the edit form's map: the
latitude and longitude fields fill in, and saving stores the point."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from tenants.orgs.models import Organization
from tests.e2e.conftest import login, url
from tests.support.threads import in_thread
from tests.support.world import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]


def _org(schema: str) -> tuple[int, Decimal | None, Decimal | None]:
    with schema_context(schema):
        org = Organization.objects.get(name__startswith="榆阳", name__endswith="另一村党支部")
        return org.pk, org.latitude, org.longitude


def _unlocate(schema: str, org_id: int) -> None:
    with schema_context(schema):
        Organization.objects.filter(pk=org_id).update(latitude=None, longitude=None)


def test_clicking_the_map_fills_the_point_and_saving_keeps_it(
    page_factory, live_server_port, committed, alpha
):
    org_id, _, _ = in_thread(lambda: _org(alpha.schema))
    try:
        page = page_factory()
        login(page, live_server_port, alpha.host, "admin", PASSWORD)
        page.goto(url(live_server_port, alpha.host, f"/orgs/{org_id}/edit/"))
        page.wait_for_selector("#map-pick[data-rendered='1']")
        assert page.input_value("#id_latitude") == ""
        # a short Chinese credit, not Leaflet's English one with its flag
        credit = page.locator("#map-pick .leaflet-control-attribution")
        assert credit.inner_text().strip() == "地图：Leaflet"
        assert credit.locator("svg").count() == 0
        box = page.locator("#map-pick").bounding_box()
        assert box is not None
        # the middle of the map, inside the county drawn as the background
        page.locator("#map-pick").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        page.wait_for_function("document.getElementById('id_latitude').value !== ''")
        lat, lng = page.input_value("#id_latitude"), page.input_value("#id_longitude")
        assert 37.5 < float(lat) < 39.7 and 108.3 < float(lng) < 110.6, (lat, lng)
        assert page.locator("#map-pick .leaflet-marker-icon").count() == 1
        assert "已选定位置" in page.inner_text("#map-pick-status")
        page.get_by_role("button", name="确定").click()
        page.wait_for_url(url(live_server_port, alpha.host, f"/orgs/{org_id}/"))
        _, saved_lat, saved_lng = in_thread(lambda: _org(alpha.schema))
        assert (saved_lat, saved_lng) == (Decimal(lat), Decimal(lng))
    finally:
        in_thread(lambda: _unlocate(alpha.schema, org_id))
