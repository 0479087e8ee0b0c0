"""Logins in Chromium against the live daphne: the county administrator issues a login to
a member on a printable slip; the member signs in on a phone with the slip's password,
is made to replace it (首次登录须修改密码), and lands on the site with their own."""

from __future__ import annotations

from datetime import date

import pytest
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.access.scope import Scope
from tenants.members.models import Member
from tenants.members.services import member_create
from tenants.members.validation import MemberData
from tenants.orgs.models import Organization
from tests.e2e.conftest import login, url
from tests.support.threads import in_thread
from tests.support.world import PASSWORD
from zhdj.pii.idnumber import make_id_number

pytestmark = [pytest.mark.e2e, pytest.mark.live]

NAME = "钱开通"
NEW_PASSWORD = "Mine#Own2026x"


def _member(schema: str, region: str) -> int:
    with schema_context(schema):
        return member_create(
            scope=Scope.system(),
            data=MemberData(
                org=Organization.objects.get(name__endswith="另一村党支部"),
                name=NAME,
                id_number=make_id_number(region, date(1991, 2, 3), 470, "male"),
                ethnicity_code="01",
                category_code="full",
                joined_at=date(2015, 7, 1),
                full_member_at=date(2016, 7, 1),
                education_code="21",
                phone="13811112222",
                address="",
            ),
        ).pk


def _clean(schema: str) -> None:
    with schema_context(schema):
        members = Member.objects.filter(name=NAME)
        users = list(members.exclude(user=None).values_list("user_id", flat=True))
        members.delete()
        User.objects.filter(pk__in=users).delete()


def _user(schema: str) -> User:
    with schema_context(schema):
        return User.objects.get(member__name=NAME)


def test_admin_issues_a_slip_and_the_member_signs_in_on_a_phone(  # type: ignore[no-untyped-def]
    browser, live_server_port, committed, alpha
):
    member_id = in_thread(lambda: _member(alpha.schema, alpha.region_code))
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    phone = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    try:
        page = desk.new_page()
        login(page, live_server_port, alpha.host, "admin", PASSWORD)
        page.goto(url(live_server_port, alpha.host, "/logins/?state=none&q=" + NAME))
        row = page.get_by_test_id("account-rows").locator("tr", has_text=NAME)
        assert "未开通" in row.inner_text()
        row.get_by_role("link", name="开通").click()
        page.wait_for_url(f"**/logins/member/{member_id}/")
        page.get_by_label("打印账号条").check()
        with page.expect_navigation():
            page.get_by_role("button", name="开通账号").click()
        slip = page.get_by_test_id("slip")
        assert slip.count() == 1
        username = slip.get_by_test_id("slip-username").inner_text().strip()
        password = slip.get_by_test_id("slip-password").inner_text().strip()
        assert username == "qiankaitong"
        # The list now shows the login, waiting for its first change.
        page.goto(url(live_server_port, alpha.host, "/logins/?q=" + NAME))
        row = page.get_by_test_id("account-rows").locator("tr", has_text=NAME)
        assert username in row.inner_text() and "待修改初始密码" in row.inner_text()

        mobile = phone.new_page()
        login(mobile, live_server_port, alpha.host, username, password)
        assert "/accounts/password/" in mobile.url  # the forced change comes first
        assert mobile.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        mobile.fill("#id_old_password", password)
        mobile.fill("#id_new_password1", NEW_PASSWORD)
        mobile.fill("#id_new_password2", NEW_PASSWORD)
        with mobile.expect_navigation():
            mobile.get_by_role("button", name="保存新密码").click()
        assert "/accounts/password/" not in mobile.url
        assert (
            NAME
            in mobile.get_by_test_id("site-name").locator("xpath=/ancestor::header").inner_text()
        )
        user = in_thread(lambda: _user(alpha.schema))
        assert not user.must_change_password and user.check_password(NEW_PASSWORD)
    finally:
        desk.close()
        phone.close()
        in_thread(lambda: _clean(alpha.schema))
