from __future__ import annotations

import pytest

from shared.customers.models import Tenant
from shared.customers.services import _discard
from tests.e2e.conftest import login, url
from tests.support.otp import complete_in_page
from tests.support.threads import in_thread
from tests.support.world import CITY_HOST, PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]


def test_ops_onboards_a_district_from_the_page_and_watches_progress(
    page_factory, live_server_port, celery_worker_process, committed
):
    port = live_server_port
    page = page_factory()
    login(page, port, CITY_HOST, "ops", PASSWORD)
    page.goto(url(port, CITY_HOST, "/ops/onboard/"))
    page.fill("#id_name", "米脂县")
    page.fill("#id_region_code", "610827")
    page.fill("#id_schema_name", "mizhi")
    page.fill("#id_domain", "mizhi.localhost")
    page.fill("#id_admin_username", "admin")
    page.fill("#id_admin_full_name", "米脂县管理员")
    page.fill("#id_admin_password", PASSWORD)
    page.get_by_role("button", name="开始开通").click()
    try:
        page.wait_for_selector("#job[data-state=succeeded]", timeout=60_000)
        assert "已开通" in page.inner_text("[data-testid=job-message]")
        assert page.get_attribute("[role=progressbar]", "aria-valuenow") == "100"
        login(page, port, "mizhi.localhost", "admin", PASSWORD)
        # The initial password was typed by ops: the administrator sets their own first.
        assert page.url.startswith(url(port, "mizhi.localhost", "/accounts/password/"))
        page.fill("#id_old_password", PASSWORD)
        page.fill("#id_new_password1", "Mizhi#Admin2027")
        page.fill("#id_new_password2", "Mizhi#Admin2027")
        page.get_by_role("button", name="保存新密码").click()
        page.wait_for_load_state("networkidle")
        # Then binds the second factor an administrator signs in with (动态口令).
        assert page.url.startswith(url(port, "mizhi.localhost", "/accounts/otp/setup/"))
        complete_in_page(page, "mizhi.localhost", "admin")
        assert page.url == url(port, "mizhi.localhost", "/")
        assert "中共米脂县委员会" in page.inner_text("[data-testid=county-home]")
    finally:
        in_thread(_remove_mizhi)


def _remove_mizhi() -> None:
    tenant = Tenant.objects.filter(schema_name="mizhi").first()
    if tenant is not None:
        _discard(tenant)


def test_invalid_onboarding_is_refused_on_the_form(page_factory, live_server_port):
    page = page_factory()
    login(page, live_server_port, CITY_HOST, "ops", PASSWORD)
    page.goto(url(live_server_port, CITY_HOST, "/ops/onboard/"))
    page.fill("#id_name", "新区")
    page.fill("#id_region_code", "110101")
    page.fill("#id_schema_name", "Bad Name")
    page.fill("#id_domain", "alpha.localhost")
    page.fill("#id_admin_username", "admin")
    page.fill("#id_admin_full_name", "某")
    page.fill("#id_admin_password", "short")
    page.get_by_role("button", name="开始开通").click()
    assert "不是本市" in page.inner_text("[data-field=region_code]")
    assert "小写字母" in page.inner_text("[data-field=schema_name]")
    assert "已被使用" in page.inner_text("[data-field=domain]")
    assert page.locator("[data-field=admin_password]").count() == 1
