from __future__ import annotations

import io

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from shared.customers.models import Tenant
from shared.rollups.dirty import _redis as dirty_redis
from shared.rollups.dirty import dirty_key, rollup_mark_dirty
from shared.rollups.services import rollup_city
from tests.conftest import logged_in
from tests.support.world import BETA, CITY_HOST

pytestmark = pytest.mark.django_db


@pytest.fixture
def rolled() -> None:
    rollup_city()
    connection.set_schema_to_public()


def test_city_user_sees_every_county_and_city_totals(rolled):
    client = logged_in(CITY_HOST, "city")
    page = client.get("/dashboard/")
    assert page.status_code == 200
    assert "全市党建数据看板" in page.content.decode()
    data = client.get("/dashboard/data.json").json()
    assert {r["name"] for r in data["rows"]} == {"榆阳区", "横山区"}
    total = next(k for k in data["kpis"] if k["key"] == "members.total")["value"]
    assert total == sum(r["members.total:"] for r in data["rows"]) == 8
    assert any(d["key"] == "members.by_age" for d in data["dimensions"])


def test_city_drill_down_shows_aggregates_of_one_county_never_a_person(rolled, beta):
    client = logged_in(CITY_HOST, "city")
    tenant = Tenant.objects.get(schema_name=beta.schema)
    data = client.get(f"/dashboard/county/{tenant.pk}/data.json").json()
    assert data["title"] == "横山区"
    names = {r["name"] for r in data["rows"]}
    assert "横山区某镇党委" in names
    body = str(data)
    assert "李支书" not in body and "王书记" not in body  # members' names never leave
    assert client.get("/dashboard/county/999999/").status_code == 404


def test_county_users_cannot_open_the_city_dashboard(rolled, alpha):
    admin = logged_in(alpha.host, "admin")
    # The city's routes do not exist on a county host; the county's own dashboard does.
    tenant = Tenant.objects.get(schema_name=BETA.schema)
    assert admin.get(f"/dashboard/county/{tenant.pk}/").status_code == 404
    assert admin.get("/dashboard/report.pdf").status_code == 404
    assert admin.get("/dashboard/map/data.json").status_code == 200  # the county's own map
    # And their session is worthless on the city host.
    city_host = admin.get("/dashboard/", HTTP_HOST=CITY_HOST)
    assert city_host.status_code == 302


def test_county_admin_sees_the_whole_county_only(rolled, alpha):
    data = logged_in(alpha.host, "admin").get("/dashboard/data.json").json()
    assert data["title"] == "榆阳区"
    total = next(k for k in data["kpis"] if k["key"] == "members.total")["value"]
    assert total == 4
    assert "横山区" not in str(data)


def test_branch_secretary_sees_only_their_subtree_and_member_is_refused(rolled, alpha):
    data = logged_in(alpha.host, "branchsec").get("/dashboard/data.json").json()
    assert data["title"] == "榆阳区某村党支部"
    total = next(k for k in data["kpis"] if k["key"] == "members.total")["value"]
    assert total == 3  # 某村党支部 has three of alpha's four members
    town = logged_in(alpha.host, "townsec").get("/dashboard/data.json").json()
    assert next(k for k in town["kpis"] if k["key"] == "members.total")["value"] == 4
    member = logged_in(alpha.host, "member")
    assert member.get("/dashboard/").status_code == 403
    assert member.get("/dashboard/data.json").status_code == 403
    assert member.get("/dashboard/map/data.json").status_code == 403


def test_city_report_exports_to_excel_and_pdf(rolled):
    client = logged_in(CITY_HOST, "city")
    xlsx = client.get("/dashboard/report.xlsx")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames[:2] == ["概况", "各区县"]
    rows = list(wb["各区县"].iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == {"榆阳区", "横山区"}
    pdf = client.get("/dashboard/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_city_map_has_boundaries_and_clusters(rolled, alpha):
    from tenants.orgs.models import Organization

    with schema_context(alpha.schema):
        Organization.objects.filter(name__endswith="某村党支部").update(
            latitude=38.3, longitude=109.7, category_code="3"
        )
    rollup_city()
    connection.set_schema_to_public()
    data = logged_in(CITY_HOST, "city").get("/dashboard/map/data.json").json()
    features = data["boundaries"]["features"]
    assert len(features) == 12
    assert sum(f["properties"]["rolled"] for f in features) == 2
    assert data["tiles"] is None  # no tile server configured here
    [cluster] = data["clusters"]
    assert cluster["county"] == "榆阳区" and cluster["category_name"] == "农村"
    assert cluster["figures"]["党员"] == 3
    county = logged_in(alpha.host, "branchsec").get("/dashboard/map/data.json").json()
    assert [m["name"] for m in county["markers"]] == ["榆阳区某村党支部"]


def test_mark_dirty_sets_one_schema_prefixed_key_and_skips_public():
    r = dirty_redis()
    r.delete(dirty_key("alpha"))
    rollup_mark_dirty()  # public: nothing
    assert not r.exists(dirty_key("public"))
    with schema_context("alpha"):
        rollup_mark_dirty()
        ttl = r.ttl(dirty_key("alpha"))
        rollup_mark_dirty()  # debounced: the key is already there
    assert r.get(dirty_key("alpha")) == b"1" and ttl > 0
    r.delete(dirty_key("alpha"))
