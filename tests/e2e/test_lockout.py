"""Login lockout in Chromium (issue 17): five wrong passwords lock the login with a Chinese
message and the time left (phone width); the county's security administrator sees the
lock on 登录锁定, confirms 解锁, and the user logs in again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axes.models import AccessAttempt
from django_tenants.utils import schema_context

from shared.accounts.models import SecurityEvent, User
from shared.accounts.services import user_create
from tests.e2e.conftest import assert_fits_phone, login, url
from tests.support.threads import in_thread
from tests.support.world import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]

TARGET = "lockout_e2e"
OFFICER = "anquan_e2e"


@pytest.fixture
def people(committed, alpha) -> Iterator[None]:  # type: ignore[no-untyped-def]
    def remove() -> None:
        with schema_context(alpha.schema):
            AccessAttempt.objects.filter(username__in=(TARGET, OFFICER)).delete()
            User.objects.filter(username__in=(TARGET, OFFICER)).delete()

    def create() -> None:
        remove()
        with schema_context(alpha.schema):
            user_create(
                username=TARGET, full_name="锁定测试党员", password=PASSWORD, role=User.Role.MEMBER
            )
            user_create(
                username=OFFICER,
                full_name="测试安全管理员",
                password=PASSWORD,
                role=User.Role.SECURITY_ADMIN,
            )

    in_thread(create)
    yield
    in_thread(remove)


def _type_login(page, password: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#id_username", TARGET)
    page.fill("#id_password", password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def test_a_locked_login_is_released_by_the_security_administrator(
    people, page_factory, live_server_port, alpha
):
    port = live_server_port
    page = page_factory(phone=True)
    page.goto(url(port, alpha.host, "/accounts/login/"))
    for left in (4, 3, 2, 1):
        _type_login(page, "Wrong#Pass2026")
        assert f"再输错 {left} 次将锁定 30 分钟" in page.inner_text("[role=alert]")
    with page.expect_response(lambda r: r.url.endswith("/accounts/login/")) as answer:
        _type_login(page, "Wrong#Pass2026")
    assert answer.value.status == 429
    message = page.inner_text("[role=alert]")
    assert "已暂时锁定" in message and "30 分钟后再试" in message
    assert_fits_phone(page)
    _type_login(page, PASSWORD)  # the right password changes nothing during the lock
    assert "已暂时锁定" in page.inner_text("[role=alert]")

    officer = page_factory()
    login(officer, port, alpha.host, OFFICER, PASSWORD)  # binds 动态口令 on the way
    officer.goto(url(port, alpha.host, "/accounts/lockouts/"))
    row = officer.locator("[data-testid=lock-row]", has_text=TARGET).first
    assert "127.0.0.1" in row.inner_text()
    row.get_by_test_id("unlock").click()
    with officer.expect_navigation():
        row.get_by_test_id("unlock-confirm").click()
    assert f"已解除“{TARGET}”的登录锁定" in officer.inner_text("body")
    assert TARGET not in officer.inner_text("table")

    _type_login(page, PASSWORD)
    assert page.url == url(port, alpha.host, "/")

    def logged() -> list[str]:
        with schema_context(alpha.schema):
            return list(
                SecurityEvent.objects.filter(username__in=(TARGET, OFFICER))
                .order_by("id")
                .values_list("kind", flat=True)
            )

    kinds = in_thread(logged)
    assert kinds.count(SecurityEvent.Kind.LOGIN_FAILED) == 6
    assert kinds.count(SecurityEvent.Kind.LOCKED_OUT) == 1
    assert SecurityEvent.Kind.ACCOUNT in kinds and kinds[-1] == SecurityEvent.Kind.LOGIN
