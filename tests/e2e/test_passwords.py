"""The password lifecycle in Chromium (issue 16): the forced change at first login and the
change-password form at phone width, the SMS reset forms, the city's account form.

``COVERED`` names every form class of the account views (shared/accounts/views.py), as
tests/e2e/test_form_roundtrip.py does for the county's: a new form cannot skip a browser
round trip.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from shared.accounts import reset
from shared.accounts.models import PasswordHistory, User, UserSession
from shared.accounts.services import user_create
from tests.e2e.conftest import assert_fits_phone, form_classes, login, url
from tests.support.threads import in_thread
from tests.support.world import CITY_HOST, PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]

NEW = "Phone#Chosen2027"
FORCED = "forced_phone"

COVERED = {
    "shared.accounts.forms.LoginForm": "every browser test logs in",
    "shared.accounts.forms.PasswordChangeForm": "forced change at phone width, typed",
    "shared.accounts.forms.ResetRequestForm": "forgot password, step 1, at phone width",
    "shared.accounts.forms.ResetCodeForm": "forgot password, step 2, at phone width",
    "shared.accounts.forms.PublicUserForm": "new city account, typed",
    "shared.accounts.forms.PublicUserActionForm": "reset and disable buttons of the list",
}


def test_every_form_of_the_account_views_is_covered() -> None:
    used = form_classes("shared.accounts.views")
    assert used == set(COVERED), sorted(used ^ set(COVERED))


@pytest.fixture
def forced_user(committed, alpha) -> Iterator[None]:  # type: ignore[no-untyped-def]
    def create() -> None:
        with schema_context(alpha.schema):
            User.objects.filter(username=FORCED).delete()
            user_create(
                username=FORCED,
                full_name="首次登录党员",
                password=PASSWORD,
                role=User.Role.MEMBER,
                must_change_password=True,
            )

    def remove() -> None:
        with schema_context(alpha.schema):
            User.objects.filter(username=FORCED).delete()

    in_thread(create)
    yield
    in_thread(remove)


def test_the_forced_change_at_phone_width(forced_user, page_factory, live_server_port, alpha):
    port = live_server_port
    page = page_factory(phone=True)
    login(page, port, alpha.host, FORCED, PASSWORD)
    assert page.url.startswith(url(port, alpha.host, "/accounts/password/"))
    assert page.locator("[data-testid=forced-notice]").is_visible()
    assert_fits_phone(page)
    # Another page sends the user back here.
    page.goto(url(port, alpha.host, "/notifications/"))
    assert page.url.startswith(url(port, alpha.host, "/accounts/password/"))
    # A weak password is refused in Chinese, on the field.
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "abcdefghijk")
    page.fill("#id_new_password2", "abcdefghijk")
    page.get_by_role("button", name="保存新密码").click()
    page.wait_for_load_state("networkidle")
    assert "3 类" in page.inner_text("[data-field=new_password1]")
    assert_fits_phone(page)
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", NEW)
    page.fill("#id_new_password2", NEW)
    with page.expect_navigation():
        page.get_by_role("button", name="保存新密码").click()
    assert page.url == url(port, alpha.host, "/notifications/")
    assert "密码已修改" in page.inner_text(".messages")

    def stored() -> tuple[bool, bool]:
        with schema_context(alpha.schema):
            user = User.objects.get(username=FORCED)
            return user.must_change_password, user.check_password(NEW)

    assert in_thread(stored) == (False, True)
    # The header's user menu leads to the page again, which no longer insists.
    page.goto(url(port, alpha.host, "/"))
    assert page.url == url(port, alpha.host, "/")
    page.goto(url(port, alpha.host, "/accounts/password/"))
    assert page.locator("[data-testid=forced-notice]").count() == 0


def test_forgot_password_by_sms_code_at_phone_width(
    forced_user, page_factory, live_server_port, alpha
):
    """Both forms of the reset, typed in Chromium. The code the server sent is replaced by
    one this test knows (the SMS went to the live server's backend, not to this test)."""
    port = live_server_port

    def give_phone() -> None:
        from tenants.members.models import Member

        with schema_context(alpha.schema):
            member = Member.objects.get(user__username="member")
            member.user = User.objects.get(username=FORCED)
            Member.objects.filter(pk=member.pk).update(user=member.user)

    def give_back() -> None:
        from tenants.members.models import Member

        with schema_context(alpha.schema):
            Member.objects.filter(user__username=FORCED).update(
                user=User.objects.get(username="member")
            )

    in_thread(give_phone)
    try:
        page = page_factory(phone=True)
        page.goto(url(port, alpha.host, "/accounts/login/"))
        page.get_by_role("link", name="忘记密码").click()
        page.fill("#id_username", FORCED)
        page.fill("#id_phone", "139 0000 0003")
        assert_fits_phone(page)
        with page.expect_navigation():
            page.get_by_role("button", name="获取验证码").click()
        assert page.url == url(port, alpha.host, "/accounts/password/forgot/code/")
        assert "验证码已发送" in page.inner_text(".messages")

        def plant(code: str) -> None:
            with schema_context(alpha.schema):
                key = reset._key("code", FORCED)
                assert cache.get(key) is not None, "no code was issued"
                cache.set(
                    key,
                    {
                        "hash": reset._code_hash(FORCED, code),
                        "attempts": 0,
                        "until": time.time() + 600,
                    },
                    600,
                )

        in_thread(lambda: plant("246810"))
        page.fill("#id_code", "135790")
        page.fill("#id_new_password1", NEW)
        page.fill("#id_new_password2", NEW)
        page.get_by_role("button", name="重置密码").click()
        page.wait_for_load_state("networkidle")
        assert "验证码不正确" in page.inner_text("[data-field=code]")
        page.fill("#id_code", "246810")
        page.fill("#id_new_password1", NEW)
        page.fill("#id_new_password2", NEW)
        with page.expect_navigation():
            page.get_by_role("button", name="重置密码").click()
        assert page.url == url(port, alpha.host, "/accounts/login/")
        assert_fits_phone(page)

        def stored() -> tuple[bool, bool]:
            with schema_context(alpha.schema):
                user = User.objects.get(username=FORCED)
                return user.must_change_password, user.check_password(NEW)

        assert in_thread(stored) == (False, True)
        login(page, port, alpha.host, FORCED, NEW)
        assert page.url == url(port, alpha.host, "/")
    finally:
        in_thread(give_back)
        in_thread(lambda: _clear_reset_counters(alpha.schema))


def _clear_reset_counters(schema: str) -> None:
    with schema_context(schema):
        cache.delete_many([reset._key("user", FORCED), reset._key("ip", "127.0.0.1")])


CITY_NEW = "e2e_city_user"


@pytest.fixture
def city_cleanup(committed) -> Iterator[None]:  # type: ignore[no-untyped-def]
    def remove() -> None:
        # Not .delete(): its cascade would look for county tables (the posts' overrides
        # point at users) in the public schema.
        users = User.objects.filter(username=CITY_NEW)
        ids = list(users.values_list("pk", flat=True))
        devices = list(StaticDevice.objects.filter(user__in=ids).values_list("pk", flat=True))
        owned = [StaticToken.objects.filter(device__in=devices)]
        owned += [m.objects.filter(user__in=ids) for m in (UserSession, PasswordHistory)]
        owned += [m.objects.filter(user__in=ids) for m in (StaticDevice, TOTPDevice)]
        for rows in owned:
            rows._raw_delete(rows.db)
        users._raw_delete(users.db)

    in_thread(remove)
    yield
    in_thread(remove)


def test_the_city_account_form_round_trip(city_cleanup, page_factory, live_server_port):
    port = live_server_port
    page = page_factory()
    login(page, port, CITY_HOST, "ops", PASSWORD)
    page.get_by_role("link", name="市级账号").first.click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="新建账号").click()
    page.fill("#id_username", CITY_NEW)
    page.fill("#id_full_name", "欧阳·市委新同志")
    page.select_option("#id_role", "city")
    page.check("#id_manages_accounts")
    page.check("input[name=password_mode][value=typed]")
    page.fill("#id_password", "Typed#Init2026")
    with page.expect_navigation():
        page.get_by_role("button", name="创建账号").click()
    assert "账号已创建" in page.inner_text("main")
    assert "Typed#Init2026" not in page.content()

    def stored() -> dict[str, object]:
        user = User.objects.get(username=CITY_NEW)
        return {
            "full_name": user.full_name,
            "role": user.role,
            "manages_accounts": user.manages_accounts,
            "must_change_password": user.must_change_password,
            "password": user.check_password("Typed#Init2026"),
            "is_active": user.is_active,
        }

    assert in_thread(stored) == {
        "full_name": "欧阳·市委新同志",
        "role": "city",
        "manages_accounts": True,
        "must_change_password": True,
        "password": True,
        "is_active": True,
    }
    # Reset from the list: a temporary password, shown once.
    page.get_by_role("link", name="返回市级账号").click()
    page.wait_for_load_state("networkidle")
    row = page.locator(f"[data-testid=user-row-{CITY_NEW}]")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        row.get_by_role("button", name="重置密码").click()
    temporary = page.inner_text("[data-testid=temporary-password]").strip()
    assert in_thread(lambda: User.objects.get(username=CITY_NEW).check_password(temporary))
    # Disable from the list.
    page.get_by_role("link", name="返回市级账号").click()
    page.wait_for_load_state("networkidle")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator(f"[data-testid=user-row-{CITY_NEW}]").get_by_role(
            "button", name="停用"
        ).click()
    assert "已停用" in page.inner_text(f"[data-testid=user-row-{CITY_NEW}]")
    assert in_thread(lambda: User.objects.get(username=CITY_NEW).is_active) is False
    # The new account administrator signs in with the temporary password and must change it.
    in_thread(lambda: User.objects.filter(username=CITY_NEW).update(is_active=True))
    other = page_factory(phone=True)
    login(other, port, CITY_HOST, CITY_NEW, temporary)
    assert other.url.startswith(url(port, CITY_HOST, "/accounts/password/"))
    assert_fits_phone(other)
