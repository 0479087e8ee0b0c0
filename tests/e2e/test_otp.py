"""动态口令 in Chromium (issue 17): a new county administrator binds a device at phone
width with the secret read from the page, keeps the recovery codes, and logs in again
with a code; a world administrator's login types its code (tests/support/otp.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.accounts.services import user_create
from tests.e2e.conftest import assert_fits_phone, form_classes, login, url
from tests.support import otp
from tests.support.threads import in_thread
from tests.support.world import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]

NEWBIE = "otp_newbie"

COVERED = {
    "shared.accounts.otp_views.CodeForm": "the code after the password, typed",
    "shared.accounts.otp_views.SetupForm": "binding at phone width, wrong code then right",
    "shared.accounts.otp_views.PasswordAgainForm": "new recovery codes, wrong then right password",
}


def test_every_form_of_the_otp_views_is_covered() -> None:
    used = form_classes("shared.accounts.otp_views")
    assert used == set(COVERED), sorted(used ^ set(COVERED))


@pytest.fixture
def newbie(committed, alpha) -> Iterator[None]:  # type: ignore[no-untyped-def]
    def create() -> None:
        with schema_context(alpha.schema):
            User.objects.filter(username=NEWBIE).delete()
            user_create(
                username=NEWBIE,
                full_name="新任管理员",
                password=PASSWORD,
                role=User.Role.COUNTY_ADMIN,
            )

    def remove() -> None:
        with schema_context(alpha.schema):
            User.objects.filter(username=NEWBIE).delete()  # its devices go with it

    in_thread(create)
    yield
    in_thread(remove)


def _password_step(page, port: int, host: str) -> None:  # type: ignore[no-untyped-def]
    """The newbie's username and password typed and sent; the 动态口令 step is the test's."""
    page.goto(url(port, host, "/accounts/login/"))
    page.fill("#id_username", NEWBIE)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def test_bind_at_phone_width_then_log_in_with_a_code(newbie, page_factory, live_server_port, alpha):
    port = live_server_port
    page = page_factory(phone=True)
    _password_step(page, port, alpha.host)
    assert page.url.startswith(url(port, alpha.host, "/accounts/otp/setup/"))
    assert page.locator("[data-testid=otp-required-notice]").is_visible()
    assert page.locator("[data-testid=otp-qr] svg").is_visible()
    assert_fits_phone(page)
    # Nothing else opens before binding.
    page.goto(url(port, alpha.host, "/members/"))
    assert page.url.startswith(url(port, alpha.host, "/accounts/otp/setup/"))
    secret = page.locator("[data-testid=otp-secret]").input_value()
    # A wrong code is refused in Chinese, on the field.
    page.fill("#id_code", "000000")
    page.get_by_role("button", name="完成绑定").click()
    page.wait_for_load_state("networkidle")
    assert "验证码不正确" in page.inner_text("[data-field=code]")
    assert page.locator("[data-testid=otp-secret]").input_value() == secret  # same device
    page.fill("#id_code", otp.code_from_secret(secret))
    page.get_by_role("button", name="完成绑定").click()
    page.wait_for_load_state("networkidle")
    codes = page.locator("[data-testid=recovery-codes] li").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    assert_fits_phone(page)
    with page.expect_navigation():
        page.get_by_test_id("otp-continue").click()
    assert page.url == url(port, alpha.host, "/members/")  # where the user was going
    # 动态口令 page: new recovery codes need the password.
    page.goto(url(port, alpha.host, "/accounts/otp/manage/"))
    assert page.inner_text("[data-testid=otp-status]") == "已开启"
    page.fill("#id_password", "Wrong#Pass2026")
    page.get_by_role("button", name="重新生成恢复码").click()
    page.wait_for_load_state("networkidle")
    assert "密码不正确" in page.inner_text("[data-field=password]")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="重新生成恢复码").click()
    page.wait_for_load_state("networkidle")
    fresh = page.locator("[data-testid=recovery-codes] li").all_inner_texts()
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    assert_fits_phone(page)
    # Another phone (a new browser context), the password: the code page, at phone width.
    page = page_factory(phone=True)
    _password_step(page, port, alpha.host)
    assert page.url.startswith(url(port, alpha.host, "/accounts/otp/"))
    assert_fits_phone(page)
    page.fill("#id_code", "111111")
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state("networkidle")
    assert "动态验证码不正确，还可尝试 4 次" in page.inner_text("[data-field=code]")
    page.wait_for_timeout(1100)  # the device's throttle after a wrong code (1 s)
    page.fill("#id_code", otp.code_from_secret(secret, ahead=1))
    with page.expect_navigation():
        page.get_by_role("button", name="验证").click()
    assert page.url == url(port, alpha.host, "/")
    page.goto(url(port, alpha.host, "/members/"))
    assert page.url.startswith(url(port, alpha.host, "/members/"))


def test_a_world_administrator_types_the_code(page_factory, live_server_port, alpha):
    page = page_factory()
    login(page, live_server_port, alpha.host, "admin", PASSWORD)  # password, then the code
    assert page.url == url(live_server_port, alpha.host, "/")
    assert "动态口令" in page.content()  # its menu item
