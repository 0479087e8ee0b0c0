"""The e-map's data: every located organization as a marker (clustered in the page by
leaflet.markercluster) with its name, type and category in Chinese; aggregates only."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from shared.rollups.services import rollup_city
from tests.conftest import logged_in
from tests.support.world import CITY_HOST

pytestmark = pytest.mark.django_db


def _locate_alpha_branch(alpha) -> None:  # type: ignore[no-untyped-def]
    from tenants.orgs.models import Organization

    with schema_context(alpha.schema):
        Organization.objects.filter(name__endswith="某村党支部").update(
            latitude=38.3, longitude=109.7, category_code="3"
        )
    rollup_city()
    connection.set_schema_to_public()


def test_the_city_map_lists_each_located_organization(alpha):
    _locate_alpha_branch(alpha)
    city = logged_in(CITY_HOST, "city")
    data = city.get("/dashboard/map/data.json").json()
    [marker] = data["markers"]
    assert marker["name"] == "榆阳区某村党支部"
    assert marker["type_name"] == "党支部" and marker["category_name"] == "农村"
    assert marker["county"] == "榆阳区"
    assert (marker["lat"], marker["lng"]) == (38.3, 109.7)
    assert marker["figures"]["党员"] == 3
    page = city.get("/dashboard/map/").content.decode()
    assert "vendor/leaflet.markercluster/leaflet.markercluster.js" in page
    assert "vendor/leaflet.markercluster/MarkerCluster.css" in page


def test_the_county_map_lists_the_users_located_organizations(alpha, beta):
    _locate_alpha_branch(alpha)
    data = logged_in(alpha.host, "admin").get("/dashboard/map/data.json").json()
    assert [(m["name"], m["type_name"]) for m in data["markers"]] == [
        ("榆阳区某村党支部", "党支部")
    ]
    assert data["unlocated"] > 0
    assert logged_in(beta.host, "admin").get("/dashboard/map/data.json").json()["markers"] == []


def test_the_cluster_script_is_served_as_a_static_file():
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/leaflet.markercluster/leaflet.markercluster.js")
