from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.notifications.services import notification_send
from tests.e2e.conftest import login, url
from tests.support.threads import in_thread
from tests.support.world import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]


def test_login_on_a_county_subdomain_shows_the_county_home_in_chinese(
    page_factory, live_server_port, alpha
):
    page = page_factory()
    login(page, live_server_port, alpha.host, "admin", PASSWORD)
    assert page.url == url(live_server_port, alpha.host, "/")
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.inner_text("[data-testid=site-name]") == f"{alpha.name}委组织部"
    assert "中共榆阳区委员会" in page.inner_text("[data-testid=county-home]")
    assert page.locator("nav[aria-label=主导航]").inner_text().count("组织架构") == 1
    page.wait_for_selector("#org-chart[data-rendered='1']")


def test_wrong_county_credentials_get_a_chinese_error(page_factory, live_server_port, beta):
    page = page_factory()
    page.goto(url(live_server_port, beta.host, "/accounts/login/"))
    page.fill("#id_username", "no_such_user")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    assert "用户名或密码不正确" in page.inner_text("[role=alert]")


def test_the_bell_updates_without_reload(page_factory, live_server_port, committed, alpha):
    page = page_factory()
    login(page, live_server_port, alpha.host, "member", PASSWORD)
    page.wait_for_selector("#bell[data-live='1']")
    before = int(page.inner_text("#bell-count") or 0)
    page.evaluate("window.__marker = 'same page'")

    def send() -> None:
        with schema_context(alpha.schema):
            member = User.objects.get(username="member")
            notification_send(recipients=[member], title="请参加本月主题党日", sender=None)

    in_thread(send)
    page.wait_for_function(
        "n => document.getElementById('bell-count').textContent === String(n)", arg=before + 1
    )
    assert page.evaluate("window.__marker") == "same page"  # no reload happened
    assert "请参加本月主题党日" in page.inner_text("#toast")


def test_pages_fit_a_phone_and_keep_navigation(page_factory, live_server_port, alpha):
    page = page_factory(phone=True)
    login(page, live_server_port, alpha.host, "member", PASSWORD)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert page.locator("nav[aria-label=主导航] a").count() >= 3
    font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font >= 16


def test_keyboard_users_can_skip_to_content(page_factory, live_server_port, alpha):
    page = page_factory()
    login(page, live_server_port, alpha.host, "member", PASSWORD)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
