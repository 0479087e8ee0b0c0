"""动态口令 (issue 17): the second factor after the password, binding a device, recovery
codes, the reset by the security administrator / ops, on the city site and both counties."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from shared.accounts import otp as accounts_otp
from shared.accounts.models import SecurityEvent, User
from shared.accounts.services import user_create
from tests.conftest import host_client, logged_in
from tests.support import otp
from tests.support.world import CITY_HOST, PASSWORD

pytestmark = pytest.mark.django_db

VERIFY = "/accounts/otp/"
SETUP = "/accounts/otp/setup/"


def _password(host: str, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    client = host_client(host)
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, f"password of {username} refused"
    return client, response


def _codes(page: str) -> list[str]:
    block = page.split('data-testid="recovery-codes"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"<li>([a-z0-9-]+)</li>", block)


def _new_user(schema: str, username: str, role: str, **extra: bool) -> User:
    with schema_context(schema):
        return user_create(
            username=username, full_name=f"{username}测试", password=PASSWORD, role=role, **extra
        )


def _bind(client, host: str, username: str) -> list[str]:  # type: ignore[no-untyped-def]
    page = client.get(SETUP).content.decode()
    done = client.post(SETUP, {"code": otp.code_from_secret(otp.secret_on(page))})
    assert done.status_code == 200, done.content.decode()[:300]
    codes = _codes(done.content.decode())
    assert len(codes) == 10
    return codes


def _events(schema: str, **filters: object) -> list[SecurityEvent]:
    with schema_context(schema):
        return list(
            SecurityEvent.objects.filter(kind=SecurityEvent.Kind.OTP, **filters).order_by("pk")
        )


# ---------------------------------------------------------------- the code after the password


@pytest.mark.parametrize(
    ("host", "schema", "username"),
    [
        ("alpha.localhost", "alpha", "admin"),
        ("beta.localhost", "beta", "anquan"),
        ("alpha.localhost", "alpha", "shenji"),
        (CITY_HOST, "public", "city"),
        (CITY_HOST, "public", "ops"),
    ],
)
def test_a_role_that_requires_it_types_the_code_before_anything_else(host, schema, username):
    client, response = _password(host, username)
    assert response["Location"] == VERIFY
    # Nothing else answers yet: pages go to the code, the API says so in Chinese.
    for path in ("/", "/notifications/" if schema != "public" else "/users/"):
        sent = client.get(path)
        assert sent.status_code == 302 and sent["Location"].startswith(VERIFY), path
    if schema != "public":
        api = client.get("/api/notifications/")
        assert api.status_code == 403 and "动态验证码" in api.json()["detail"]
    page = client.get(VERIFY).content.decode()
    assert "动态验证码" in page and "6 位数字" in page
    done = client.post(VERIFY, {"code": otp.code_for(host, username)})
    assert done.status_code == 302 and done["Location"] == "/"
    assert client.get("/").status_code == 200
    assert _events(schema, username=username, ok=True)


def test_the_code_page_keeps_where_the_user_was_going(alpha):
    client = host_client(alpha.host)
    response = client.post(
        "/accounts/login/?next=/notifications/", {"username": "admin", "password": PASSWORD}
    )
    assert response["Location"] == f"{VERIFY}?next=%2Fnotifications%2F"
    done = client.post(response["Location"], {"code": otp.code_for(alpha.host, "admin")})
    assert done["Location"] == "/notifications/"


def test_a_member_without_a_device_needs_no_code(alpha):
    client, response = _password(alpha.host, "member")
    assert response["Location"] == "/"
    assert client.get("/notifications/").status_code == 200
    assert client.get(VERIFY).status_code == 302  # nothing to type: straight on


def test_a_wrong_code_is_refused_and_counted_five_send_back_to_the_password(alpha, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client, _ = _password(alpha.host, "admin")
    for left in (4, 3, 2, 1):
        page = client.post(VERIFY, {"code": "000000"}).content.decode()
        assert f"动态验证码不正确，还可尝试 {left} 次" in page
    last = client.post(VERIFY, {"code": "123"})
    assert last.status_code == 302 and last["Location"] == "/accounts/login/"
    assert "连续错误 5 次" in client.get("/accounts/login/").content.decode()
    assert client.get("/")["Location"].startswith("/accounts/login/")  # signed out
    failed = _events(alpha.schema, username="admin", ok=False)
    assert len(failed) == 5


def test_quick_retries_are_throttled_by_the_device(alpha):
    client, _ = _password(alpha.host, "admin")
    client.post(VERIFY, {"code": "000000"})
    page = client.post(VERIFY, {"code": otp.code_for(alpha.host, "admin")}).content.decode()
    assert "尝试过于频繁" in page


def test_a_code_works_once(alpha):
    code = otp.code_for(alpha.host, "admin")
    first, _ = _password(alpha.host, "admin")
    assert first.post(VERIFY, {"code": code}).status_code == 302
    second, _ = _password(alpha.host, "admin")
    assert "动态验证码不正确" in second.post(VERIFY, {"code": code}).content.decode()


def test_a_device_holder_types_the_code_before_a_forced_password_change(alpha):
    with schema_context(alpha.schema):
        User.objects.filter(username="admin").update(must_change_password=True)
    client, response = _password(alpha.host, "admin")
    assert response["Location"] == VERIFY
    assert client.get("/accounts/password/")["Location"].startswith(VERIFY)
    assert client.get(VERIFY).status_code == 200  # no loop between the two
    client.post(VERIFY, {"code": otp.code_for(alpha.host, "admin")})
    assert client.get("/")["Location"].startswith("/accounts/password/")


# ---------------------------------------------------------------- binding a device


def test_a_new_county_admin_binds_a_device_and_gets_ten_recovery_codes(alpha):
    user = _new_user(alpha.schema, "admin2", User.Role.COUNTY_ADMIN)
    client, response = _password(alpha.host, "admin2")
    assert response["Location"] == SETUP
    assert client.get("/notifications/")["Location"].startswith(SETUP)
    api = client.get("/api/notifications/")
    assert api.status_code == 403 and "绑定动态口令" in api.json()["detail"]
    page = client.get(SETUP).content.decode()
    assert "<svg" in page and "绑定动态口令" in page
    with schema_context(alpha.schema):
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        uri = accounts_otp.provisioning_uri(device, alpha.host)
    assert uri.startswith("otpauth://totp/")
    assert "issuer=%E6%99%BA%E6%85%A7%E5%85%9A%E5%BB%BA%E4%BA%91" in uri  # 智慧党建云
    assert "admin2@alpha.localhost" in uri
    assert otp.secret_on(page).replace(" ", "") in uri
    wrong = client.post(SETUP, {"code": "000000"}).content.decode()
    assert "验证码不正确" in wrong
    codes = _bind(client, alpha.host, "admin2")
    assert client.get("/notifications/").status_code == 200
    with schema_context(alpha.schema):
        assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
        stored = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(stored) == 10
    assert not set(stored) & {c.replace("-", "") for c in codes} and not set(stored) & set(codes)
    assert all(any(accounts_otp.digest_matches(user.pk, c, s) for s in stored) for c in codes)
    assert _events(alpha.schema, username="admin2", detail="绑定动态口令")
    # The next login asks for the code.
    _, again = _password(alpha.host, "admin2")
    assert again["Location"] == VERIFY


def test_binding_waits_for_the_forced_password_change(alpha):
    _new_user(alpha.schema, "admin3", User.Role.COUNTY_ADMIN, must_change_password=True)
    client, _ = _password(alpha.host, "admin3")
    assert client.get("/")["Location"].startswith("/accounts/password/")
    assert client.get(SETUP)["Location"].startswith("/accounts/password/")
    new = "Another#Pass2027"
    changed = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert changed.status_code == 302
    assert client.get("/")["Location"].startswith(SETUP)
    _bind(client, alpha.host, "admin3")
    assert client.get("/").status_code == 200


def test_a_member_may_turn_it_on_and_then_types_codes(alpha):
    client = logged_in(alpha.host, "member")
    assert "未开启" in client.get("/accounts/otp/manage/").content.decode()
    _bind(client, alpha.host, "member")
    assert "已开启" in client.get("/accounts/otp/manage/").content.decode()
    _, again = _password(alpha.host, "member")
    assert again["Location"] == VERIFY


# ---------------------------------------------------------------- recovery codes


def test_a_recovery_code_signs_in_once(alpha):
    _new_user(alpha.schema, "admin4", User.Role.COUNTY_ADMIN)
    first, _ = _password(alpha.host, "admin4")
    codes = _bind(first, alpha.host, "admin4")
    client, _ = _password(alpha.host, "admin4")
    done = client.post(VERIFY, {"code": " " + codes[0].upper().replace("-", " ") + " "})
    assert done.status_code == 302 and done["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and "还剩 9 个" in home.content.decode()
    assert _events(alpha.schema, username="admin4", detail="使用恢复码（剩余 9 个）")
    again, _ = _password(alpha.host, "admin4")
    assert "动态验证码不正确" in again.post(VERIFY, {"code": codes[0]}).content.decode()


def test_new_recovery_codes_need_the_password_and_replace_the_old(alpha, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    _new_user(alpha.schema, "admin5", User.Role.COUNTY_ADMIN)
    client, _ = _password(alpha.host, "admin5")
    old = _bind(client, alpha.host, "admin5")
    manage = client.get("/accounts/otp/manage/").content.decode()
    assert "已开启" in manage and 'data-testid="recovery-left">10<' in manage
    wrong = client.post("/accounts/otp/manage/", {"password": "Wrong#Pass1"}).content.decode()
    assert "密码不正确" in wrong
    empty = client.post("/accounts/otp/manage/", {"password": ""}).content.decode()
    assert "请输入当前密码" in empty
    new = _codes(client.post("/accounts/otp/manage/", {"password": PASSWORD}).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert client.get("/").status_code == 200  # this session stays verified
    other, _ = _password(alpha.host, "admin5")
    assert "动态验证码不正确" in other.post(VERIFY, {"code": old[1]}).content.decode()
    assert other.post(VERIFY, {"code": new[1]}).status_code == 302
    assert _events(alpha.schema, username="admin5", detail="重新生成恢复码")


# ---------------------------------------------------------------- reset by another


def test_the_county_security_administrator_resets_a_device(alpha, beta):
    admin = logged_in(alpha.host, "admin")  # a verified session of the target
    anquan = logged_in(alpha.host, "anquan")
    listing = anquan.get("/accounts/otp/reset/").content.decode()
    assert (
        'data-testid="otp-row-admin"' in listing and 'data-testid="otp-row-anquan"' not in listing
    )
    with schema_context(alpha.schema):
        target = User.objects.get(username="admin")
    assert "确定重置" in anquan.get(f"/accounts/otp/reset/{target.pk}/").content.decode()
    done = anquan.post(f"/accounts/otp/reset/{target.pk}/do/")
    assert done.status_code == 302
    assert "已重置" in anquan.get("/accounts/otp/reset/").content.decode()
    event = _events(alpha.schema, username="anquan", target="admin")
    assert len(event) == 1 and event[0].ok
    # The target's session is no longer verified; the next login binds again.
    assert admin.get("/notifications/")["Location"].startswith(SETUP)
    _, again = _password(alpha.host, "admin")
    assert again["Location"] == SETUP
    # Beta's administrator of the same name keeps the device.
    _, beta_admin = _password(beta.host, "admin")
    assert beta_admin["Location"] == VERIFY
    with schema_context(beta.schema):
        assert TOTPDevice.objects.filter(user__username="admin", confirmed=True).exists()
    assert not _events(beta.schema, target="admin")


def test_nobody_else_resets_and_nobody_resets_themselves(alpha):
    with schema_context(alpha.schema):
        target = User.objects.get(username="shenji")
        anquan = User.objects.get(username="anquan")
    for username in ("admin", "shenji", "member", "branchsec"):
        client = logged_in(alpha.host, username)
        assert client.get("/accounts/otp/reset/").status_code == 403, username
        assert client.post(f"/accounts/otp/reset/{target.pk}/do/").status_code == 403, username
    security = logged_in(alpha.host, "anquan")
    assert security.post(f"/accounts/otp/reset/{anquan.pk}/do/").status_code == 404
    assert security.post("/accounts/otp/reset/999999/do/").status_code == 404
    assert security.get("/accounts/otp/reset/?q=%00").status_code in (200, 400)
    with schema_context(alpha.schema):
        assert TOTPDevice.objects.filter(user=target).exists()


def test_on_the_city_site_ops_and_the_security_administrator_reset(alpha):
    with schema_context("public"):
        city = User.objects.get(username="city")
        ops = User.objects.get(username="ops")
    assert logged_in(CITY_HOST, "city").get("/accounts/otp/reset/").status_code == 403
    ops_client = logged_in(CITY_HOST, "ops")
    assert ops_client.post(f"/accounts/otp/reset/{city.pk}/do/").status_code == 302
    security = logged_in(CITY_HOST, "anquan")
    assert security.post(f"/accounts/otp/reset/{ops.pk}/do/").status_code == 302
    assert [e.target for e in _events("public", ok=True) if e.target] == ["city", "ops"]
    _, again = _password(CITY_HOST, "city")
    assert again["Location"] == SETUP
    # The county's users were not touched.
    with schema_context(alpha.schema):
        assert TOTPDevice.objects.filter(user__username="admin").exists()


def test_the_search_finds_a_member_who_turned_it_on(alpha):
    member = logged_in(alpha.host, "member")
    _bind(member, alpha.host, "member")
    security = logged_in(alpha.host, "anquan")
    page = security.get("/accounts/otp/reset/?q=memb").content.decode()
    assert 'data-testid="otp-row-member"' in page and "已开启" in page
    none = security.get("/accounts/otp/reset/?q=nobody-here").content.decode()
    assert "没有找到" in none


# ---------------------------------------------------------------- the demo


def test_the_demo_code_command_is_refused_outside_the_demo(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.delenv("ZHDJ_DEMO", raising=False)
    with pytest.raises(CommandError, match="演示"):
        call_command("demo_otp_code")
    settings.ZHDJ_PRODUCTION = True
    monkeypatch.setenv("ZHDJ_DEMO", "1")
    with pytest.raises(CommandError, match="生产"):
        call_command("demo_otp_code")


def test_the_demo_code_command_prints_the_demo_secrets_code(settings, monkeypatch, capsys):
    settings.ZHDJ_PRODUCTION = False
    monkeypatch.setenv("ZHDJ_DEMO", "1")
    call_command("demo_otp_code")
    out = capsys.readouterr().out
    code = re.search(r"动态验证码：(\d{6})", out).group(1)
    assert code == otp.code_from_secret(accounts_otp.DEMO_SECRET_BASE32)
    assert accounts_otp.DEMO_SECRET_BASE32 in out


def test_the_demo_secret_is_refused_outside_the_demo(alpha, settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.delenv("ZHDJ_DEMO", raising=False)
    with schema_context(alpha.schema):
        user = User.objects.get(username="member")
        with pytest.raises(Exception, match="演示"):
            accounts_otp.demo_device_ensure(user)
        assert not TOTPDevice.objects.filter(user=user).exists()


def test_a_websocket_of_a_session_before_the_code_is_nobody(alpha):
    from django.conf import settings

    from shared.customers.models import Tenant
    from zhdj.tenancy.channels import _load_user

    tenant = Tenant.objects.get(schema_name=alpha.schema)
    client, _ = _password(alpha.host, "admin")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert not _load_user(tenant, key).is_authenticated
    client.post(VERIFY, {"code": otp.code_for(alpha.host, "admin")})
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert _load_user(tenant, key).username == "admin"
    member = logged_in(alpha.host, "member")  # no second factor: as before
    assert _load_user(tenant, member.cookies[settings.SESSION_COOKIE_NAME].value).is_authenticated
