"""登录设备 in Chromium (issue 17): the list at phone width, 退出其他所有设备 and 退出该设备
typed, and an open page of the ended session sent to the login page by its own websocket
(the bell closes with 4401, the page reloads) with 会话已超时，请重新登录."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context

from shared.accounts.models import UserSession
from tests.e2e.conftest import assert_fits_phone, login, url
from tests.support.threads import in_thread
from tests.support.world import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]


def _rows(schema: str) -> int:
    with schema_context(schema):
        return UserSession.objects.filter(user__username="member").count()


def test_ending_other_sessions_signs_their_pages_out(
    page_factory, live_server_port, committed, beta
):
    port = live_server_port
    elsewhere = page_factory()
    login(elsewhere, port, beta.host, "member", PASSWORD)
    elsewhere.goto(url(port, beta.host, "/notifications/"))
    elsewhere.wait_for_selector("#bell[data-live='1']", state="attached", timeout=10_000)
    elsewhere.wait_for_timeout(500)  # the first count arrived: the bell is live

    phone = page_factory(phone=True)
    login(phone, port, beta.host, "member", PASSWORD)
    phone.goto(url(port, beta.host, "/accounts/password/"))
    with phone.expect_navigation():
        phone.click("[data-testid=sessions-link]")
    assert phone.url == url(port, beta.host, "/accounts/sessions/")
    assert phone.locator("[data-testid=session-current]").count() == 1
    assert phone.locator("li.session").count() >= 2
    assert_fits_phone(phone)

    phone.once("dialog", lambda dialog: dialog.accept())  # 确定退出其他所有设备上的登录吗？
    with phone.expect_navigation():
        phone.click("[data-testid=session-end-others]")
    assert "已退出其他" in phone.inner_text(".messages")
    assert phone.locator("li.session").count() == 1
    assert in_thread(lambda: _rows(beta.schema)) == 1

    # The other browser's open page: its websocket closes, the page reloads to the login.
    elsewhere.wait_for_url(re.compile(r".*/accounts/login/.*"), timeout=15_000)
    assert "会话已超时，请重新登录" in elsewhere.inner_text(".messages")


def test_ending_one_session_by_its_button(page_factory, live_server_port, alpha):
    port = live_server_port
    first = page_factory(phone=True)
    login(first, port, alpha.host, "member", PASSWORD)
    second = page_factory(phone=True)
    login(second, port, alpha.host, "member", PASSWORD)
    first_id = first.evaluate("document.cookie")  # the session cookie is HttpOnly: not here
    assert "zhdj_session" not in first_id

    second.goto(url(port, alpha.host, "/accounts/sessions/"))
    others = second.locator("li.session:not([data-current]) button")
    before = others.count()
    assert before >= 1
    with second.expect_navigation():
        others.first.click()
    assert "已退出该设备上的登录" in second.inner_text(".messages")
    assert second.locator("li.session:not([data-current]) button").count() == before - 1
