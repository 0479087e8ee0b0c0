from __future__ import annotations

from datetime import date

import pytest
from django_tenants.utils import schema_context

from tests.e2e.conftest import login, url
from tests.support.threads import in_thread
from tests.support.world import CITY_HOST, PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]


def _rollup() -> None:
    from shared.rollups.services import rollup_city

    rollup_city()


def _kpi(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.get_attribute("[data-kpi='members.total'] .kpi__value", "data-value"))


def test_city_dashboard_shows_charts_and_updates_live_when_a_county_adds_a_member(
    page_factory, live_server_port, celery_worker_process, committed, alpha
):
    in_thread(_rollup)
    page = page_factory()
    login(page, live_server_port, CITY_HOST, "city", PASSWORD)
    page.goto(url(live_server_port, CITY_HOST, "/dashboard/"))
    page.wait_for_selector("#chart-ranking[data-rendered='1']")
    page.wait_for_selector("#chart-members-by_age[data-rendered='1']")
    page.wait_for_selector("#dashboard[data-live='1']")
    assert page.locator("#units tbody tr").count() == 2
    before = _kpi(page)
    page.evaluate("window.__marker = 'same page'")
    created = {}

    def add_member() -> None:
        from shared.accounts.models import User
        from tenants.access.scope import scope_for
        from tenants.members.services import member_create
        from tenants.members.validation import MemberData
        from tenants.orgs.models import Organization
        from zhdj.pii.idnumber import make_id_number

        with schema_context(alpha.schema):
            org = Organization.objects.get(name="榆阳区某村党支部")
            member = member_create(
                scope=scope_for(User.objects.get(username="admin")),
                data=MemberData(
                    org=org,
                    name="看板新党员",
                    id_number=make_id_number(alpha.region_code, date(1995, 5, 5), 77, "male"),
                    ethnicity_code="01",
                    category_code="probationary",
                    joined_at=date(2025, 7, 1),
                ),
            )
            created["pk"] = member.pk

    in_thread(add_member)
    try:
        page.wait_for_function(
            "n => Number(document.querySelector(\"[data-kpi='members.total'] .kpi__value\")"
            ".dataset.value) === n",
            arg=before + 1,
            timeout=30_000,
        )
        assert page.evaluate("window.__marker") == "same page"  # no reload happened
    finally:

        def remove() -> None:
            from tenants.members.models import Member

            with schema_context(alpha.schema):
                Member.objects.filter(pk=created.get("pk")).delete()
            _rollup()

        in_thread(remove)


def test_city_dashboard_fits_a_phone(page_factory, live_server_port, committed):
    in_thread(_rollup)
    page = page_factory(phone=True)
    login(page, live_server_port, CITY_HOST, "city", PASSWORD)
    page.goto(url(live_server_port, CITY_HOST, "/dashboard/"))
    page.wait_for_selector("#chart-ranking[data-rendered='1']")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_county_user_cannot_open_the_city_dashboard(page_factory, live_server_port, alpha):
    page = page_factory()
    login(page, live_server_port, alpha.host, "admin", PASSWORD)
    # The county's login is worthless on the city host: the city dashboard asks for a login.
    page.goto(url(live_server_port, CITY_HOST, "/dashboard/"))
    assert "/accounts/login/" in page.url
    # On the county host, /dashboard/ is the county's own dashboard, never the city's.
    page.goto(url(live_server_port, alpha.host, "/dashboard/"))
    assert "全市党建数据看板" not in page.content()
    response = page.goto(url(live_server_port, alpha.host, "/dashboard/report.pdf"))
    assert response.status == 404


def test_the_e_map_draws_county_boundaries(page_factory, live_server_port, committed):
    in_thread(_rollup)
    page = page_factory()
    login(page, live_server_port, CITY_HOST, "city", PASSWORD)
    page.goto(url(live_server_port, CITY_HOST, "/dashboard/map/"))
    page.wait_for_selector("#emap[data-rendered='1']")
    assert page.locator("#emap path.leaflet-interactive").count() == 12
    assert "仅显示行政区划示意边界" in page.inner_text("#emap-status")
