"""A county's lifecycle in Chromium (issue 18, item 3): the ops team renames, adds, removes
and promotes domains, offboards a suspended county, and the city auditor reads the trail.

Each test opens a county of its own (committed, for the live daphne and Celery worker) and
removes it afterwards: alpha and beta are never touched.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_exists

from shared.customers.models import Tenant
from shared.customers.services import (
    OnboardingRequest,
    _discard,
    tenant_onboard,
    tenant_suspend,
)
from shared.customers.trail import Actor
from tests.e2e.conftest import login, url
from tests.support.threads import in_thread
from tests.support.world import CITY_HOST, PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]

# Host labels with digits: the page sweep reads them as identifiers, not English words.
QINGJIAN = OnboardingRequest(
    name="清涧县",
    region_code="610830",
    schema_name="qj2",
    domain="qj2.localhost",
    admin_username="admin",
    admin_full_name="清涧县管理员",
    admin_password=PASSWORD,
)
ZIZHOU = OnboardingRequest(
    name="子洲县",
    region_code="610831",
    schema_name="zz2",
    domain="zz2.localhost",
    admin_username="admin",
    admin_full_name="子洲县管理员",
    admin_password=PASSWORD,
)


def _open(req: OnboardingRequest, *, suspended: bool) -> Iterator[None]:
    def make() -> None:
        tenant = tenant_onboard(req).tenant
        if suspended:
            tenant_suspend(tenant=tenant, reason="区划调整", actor=Actor("ops", "command"))

    def remove() -> None:
        tenant = Tenant.objects.filter(schema_name=req.schema_name).first()
        if tenant is not None:
            _discard(tenant)

    in_thread(remove)  # leftovers of an interrupted run
    in_thread(make)
    try:
        yield
    finally:
        in_thread(remove)


@pytest.fixture
def qingjian(live_server_port, committed) -> Iterator[None]:  # type: ignore[no-untyped-def]
    yield from _open(QINGJIAN, suspended=False)


@pytest.fixture
def zizhou(live_server_port, committed) -> Iterator[None]:  # type: ignore[no-untyped-def]
    yield from _open(ZIZHOU, suspended=True)


def _domains(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    rows = page.locator("[data-testid=domain-rows] tr[data-domain]")
    return {
        rows.nth(i).get_attribute("data-domain"): rows.nth(i).locator("td").nth(1).inner_text()
        for i in range(rows.count())
    }


def test_ops_renames_adds_removes_and_promotes_domains_and_the_auditor_reads_it(
    page_factory, live_server_port, qingjian
):
    port = live_server_port
    page = page_factory()
    login(page, port, CITY_HOST, "ops", PASSWORD)
    page.goto(url(port, CITY_HOST, "/ops/tenants/"))
    page.locator("tr[data-schema=qj2] [data-testid=domains-link]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "域名管理：清涧县"
    assert _domains(page) == {"qj2.localhost": "主域名"}

    # Add a second domain: both route.
    page.fill("#id_add-domain", "qj3.localhost")
    page.get_by_role("button", name="添加域名").click()
    page.wait_for_load_state("networkidle")
    assert "已添加域名“qj3.localhost”" in page.inner_text(".messages")
    assert _domains(page) == {"qj2.localhost": "主域名", "qj3.localhost": "附加域名"}

    # A bad host: named in Chinese on the field, the typed value kept, nothing changed.
    page.fill("#id_rename-domain", "beta.localhost")
    page.get_by_role("button", name="更换主域名").click()
    page.wait_for_load_state("networkidle")
    assert "已被使用" in page.inner_text("[data-field=rename-domain]")
    assert page.input_value("#id_rename-domain") == "beta.localhost"
    page.fill("#id_add-domain", "qj_bad!.localhost")
    page.get_by_role("button", name="添加域名").click()
    page.wait_for_load_state("networkidle")
    assert "域名格式不正确" in page.inner_text("[data-field=add-domain]")
    assert page.input_value("#id_add-domain") == "qj_bad!.localhost"
    assert len(_domains(page)) == 2

    # Promote the second, remove the first, then rename the primary.
    page.locator("tr[data-domain='qj3.localhost']").get_by_role("button", name="设为主域名").click()
    page.wait_for_load_state("networkidle")
    assert _domains(page) == {"qj2.localhost": "附加域名", "qj3.localhost": "主域名"}
    assert page.locator("tr[data-domain='qj3.localhost'] button").count() == 0
    page.locator("tr[data-domain='qj2.localhost']").get_by_role("button", name="删除").click()
    page.wait_for_load_state("networkidle")
    assert _domains(page) == {"qj3.localhost": "主域名"}
    page.fill("#id_rename-domain", "qj4.localhost")
    page.get_by_role("button", name="更换主域名").click()
    page.wait_for_load_state("networkidle")
    assert "旧域名不再可用" in page.inner_text(".messages")
    assert _domains(page) == {"qj4.localhost": "主域名"}

    # The live server's routing map dropped the old hosts at once.
    for gone in ("qj2.localhost", "qj3.localhost"):
        assert page.goto(url(port, gone, "/accounts/login/")).status == 404
    assert page.goto(url(port, "qj4.localhost", "/accounts/login/")).status == 200

    # The city auditor reads every step in the trail (区县变更记录), from the menu.
    auditor = page_factory()
    login(auditor, port, CITY_HOST, "shenji", PASSWORD)
    auditor.get_by_role("link", name="区县变更记录").first.click()
    auditor.wait_for_load_state("networkidle")
    auditor.fill("#id_county", "清涧县")
    auditor.get_by_role("button", name="筛选").click()
    auditor.wait_for_load_state("networkidle")
    rows = auditor.locator("[data-testid=lifecycle-rows] tr[data-schema=qj2]")
    actions = [rows.nth(i).get_attribute("data-action") for i in range(rows.count())]
    assert actions[:4] == ["domain_rename", "domain_remove", "domain_primary", "domain_add"]
    text = auditor.inner_text("[data-testid=lifecycle-rows]")
    assert "更换主域名" in text and "qj4.localhost" in text and "运维页面" in text


def test_ops_offboards_a_suspended_county_after_typing_its_name(
    page_factory, live_server_port, celery_worker_process, zizhou
):
    port = live_server_port
    page = page_factory()
    login(page, port, CITY_HOST, "ops", PASSWORD)
    page.goto(url(port, CITY_HOST, "/ops/tenants/"))
    # An active county offers no offboarding; the page refuses it if asked all the same.
    assert page.locator("tr[data-schema=alpha] [data-testid=offboard-link]").count() == 0
    page.locator("tr[data-schema=zz2] [data-testid=offboard-link]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "注销区县：子洲县"
    assert page.locator("[data-testid=no-archive]").is_visible()

    # A wrong name and no backup confirmation: both named, what was typed kept.
    page.fill("#id_confirm_name", "子洲")
    page.get_by_role("button", name="注销该区县").click()
    page.wait_for_load_state("networkidle")
    assert "不一致" in page.inner_text("[data-field=confirm_name]")
    assert "我确认已另行备份" in page.inner_text("[data-field=backup_confirmed]")
    assert page.input_value("#id_confirm_name") == "子洲"
    assert in_thread(lambda: schema_exists("zz2"))

    page.fill("#id_confirm_name", "子洲县")
    page.get_by_label("我确认已另行备份").check()
    page.get_by_role("button", name="注销该区县").click()
    page.wait_for_selector("#job[data-state=succeeded]", timeout=60_000)
    assert page.locator("h1").inner_text() == "注销“子洲县”"
    assert "已注销" in page.inner_text("[data-testid=job-message]")

    def state() -> tuple[bool, str, int]:
        tenant = Tenant.objects.get(schema_name="zz2")
        return schema_exists("zz2"), tenant.status, tenant.domains.count()

    assert in_thread(state) == (False, Tenant.Status.OFFBOARDED, 0)
    assert page.goto(url(port, "zz2.localhost", "/accounts/login/")).status == 404
    page.goto(url(port, CITY_HOST, "/ops/tenants/"))
    row = page.locator("tr[data-schema=zz2]")
    assert "已注销" in row.inner_text() and "ops" in row.inner_text()
    assert row.locator("[data-testid=domains-link]").count() == 0

    # An active county is refused on the page itself.
    alpha_id = in_thread(lambda: Tenant.objects.get(schema_name="alpha").pk)
    page.goto(url(port, CITY_HOST, f"/ops/tenants/{alpha_id}/offboard/"))
    assert "请先暂停" in page.inner_text("[data-testid=offboard-refused]")
    assert page.locator("#id_confirm_name").count() == 0
