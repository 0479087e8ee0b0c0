"""City and ops accounts on the city site (市级账号): who may manage which, create with a
password shown once, reset (temporary, must change), disable and enable."""

from __future__ import annotations

import re

import pytest

from shared.accounts import manage
from shared.accounts.models import User
from shared.accounts.services import user_create
from tests.conftest import host_client, logged_in
from tests.support.world import CITY_HOST, PASSWORD
from zhdj.errors import AccessDenied, ApplicationError

pytestmark = pytest.mark.django_db


def _account_admin() -> User:
    return user_create(
        username="city_keeper",
        full_name="账号管理员",
        password=PASSWORD,
        role="city",
        manages_accounts=True,
    )


def _shown_password(html: str) -> str:
    match = re.search(r'data-testid="temporary-password"[^>]*>([^<]+)<', html)
    assert match, "no password shown"
    return match.group(1)


def test_a_city_user_without_the_right_gets_403(city_client):
    for path in ("/users/", "/users/new/"):
        assert city_client.get(path).status_code == 403, path
    ops = User.objects.get(username="ops")
    denied = city_client.post("/users/action/", {"user": ops.pk, "action": "disable"})
    assert denied.status_code == 403
    assert User.objects.get(username="ops").is_active
    assert "/users/" not in city_client.get("/").content.decode()  # not in the navigation


def test_county_sites_have_no_city_account_pages(alpha_admin):
    assert alpha_admin.get("/users/").status_code == 404


def test_ops_lists_city_and_ops_accounts_with_last_login(ops_client):
    page = ops_client.get("/users/").content.decode()
    for text in ("市委用户", "运维用户", "最近登录", "市委组织部", "运维人员", "新建账号"):
        assert text in page
    assert 'href="/users/"' in page  # the navigation item


def test_ops_creates_a_city_user_whose_password_is_shown_once_and_must_change(ops_client):
    response = ops_client.post(
        "/users/new/",
        {"username": "zhangsan", "full_name": "张三", "role": "city", "password_mode": "random"},
    )
    assert response.status_code == 200
    password = _shown_password(response.content.decode())
    user = User.objects.get(username="zhangsan")
    assert user.role == "city" and user.must_change_password and user.check_password(password)
    assert password not in ops_client.get("/users/").content.decode()
    client = host_client(CITY_HOST)
    client.post("/accounts/login/", {"username": "zhangsan", "password": password})
    assert client.get("/")["Location"].startswith("/accounts/password/")


def test_a_typed_initial_password_is_validated_and_not_shown(ops_client):
    weak = ops_client.post(
        "/users/new/",
        {
            "username": "lisi",
            "full_name": "李四",
            "role": "ops",
            "password_mode": "typed",
            "password": "abcdefghijk",
        },
    ).content.decode()
    assert "3 类" in weak and not User.objects.filter(username="lisi").exists()
    ok = ops_client.post(
        "/users/new/",
        {
            "username": "lisi",
            "full_name": "李四",
            "role": "ops",
            "password_mode": "typed",
            "password": "Typed#Init2026",
        },
    ).content.decode()
    assert "Typed#Init2026" not in ok and "账号已创建" in ok
    assert User.objects.get(username="lisi").must_change_password


def test_duplicate_and_bad_usernames_are_refused_in_chinese(ops_client):
    dup = ops_client.post(
        "/users/new/",
        {"username": "city", "full_name": "重复", "role": "city", "password_mode": "random"},
    ).content.decode()
    assert "已存在" in dup
    bad = ops_client.post(
        "/users/new/",
        {"username": "a b", "full_name": "空格", "role": "city", "password_mode": "random"},
    ).content.decode()
    assert "不能有空格" in bad


def test_ops_resets_a_password_to_a_temporary_one(ops_client):
    city = User.objects.get(username="city")
    response = ops_client.post("/users/action/", {"user": city.pk, "action": "reset"})
    password = _shown_password(response.content.decode())
    city.refresh_from_db()
    assert city.check_password(password) and city.must_change_password


def test_disable_ends_the_login_and_enable_restores_it(ops_client):
    city_session = logged_in(CITY_HOST, "city")
    city = User.objects.get(username="city")
    assert (
        ops_client.post("/users/action/", {"user": city.pk, "action": "disable"}).status_code == 302
    )
    assert not User.objects.get(pk=city.pk).is_active
    assert city_session.get("/")["Location"].startswith("/accounts/login/")
    refused = host_client(CITY_HOST).post(
        "/accounts/login/", {"username": "city", "password": PASSWORD}
    )
    assert refused.status_code == 200
    ops_client.post("/users/action/", {"user": city.pk, "action": "enable"})
    assert User.objects.get(pk=city.pk).is_active
    logged_in(CITY_HOST, "city")


def test_nobody_resets_or_disables_themselves_here(ops_client):
    ops = User.objects.get(username="ops")
    ops_client.post("/users/action/", {"user": ops.pk, "action": "disable"})
    assert User.objects.get(pk=ops.pk).is_active
    with pytest.raises(ApplicationError):
        manage.public_user_reset(actor=ops, user=ops)


def test_a_city_account_administrator_manages_city_users_only():
    keeper = _account_admin()
    client = logged_in(CITY_HOST, "city_keeper")
    page = client.get("/users/").content.decode()
    assert "市委用户" in page and "运维用户" not in page
    form = client.get("/users/new/").content.decode()
    assert 'value="ops"' not in form and 'name="manages_accounts"' not in form
    ops = User.objects.get(username="ops")
    assert client.post("/users/action/", {"user": ops.pk, "action": "reset"}).status_code == 403
    assert ops.check_password(PASSWORD)
    refused = client.post(
        "/users/new/",
        {"username": "op2", "full_name": "运维二", "role": "ops", "password_mode": "random"},
    )
    assert refused.status_code == 200 and not User.objects.filter(username="op2").exists()
    with pytest.raises(AccessDenied):
        manage.public_user_create(
            actor=keeper, username="x9", full_name="某", role="city", manages_accounts=True
        )
    city = User.objects.get(username="city")
    response = client.post("/users/action/", {"user": city.pk, "action": "reset"})
    assert response.status_code == 200 and _shown_password(response.content.decode())


def test_only_ops_names_account_administrators(ops_client):
    ops_client.post(
        "/users/new/",
        {
            "username": "keeper2",
            "full_name": "管理员二",
            "role": "city",
            "manages_accounts": "on",
            "password_mode": "random",
        },
    )
    assert User.objects.get(username="keeper2").manages_accounts
    city = User.objects.get(username="city")
    with pytest.raises(AccessDenied):
        manage.public_user_reset(actor=city, user=User.objects.get(username="keeper2"))
