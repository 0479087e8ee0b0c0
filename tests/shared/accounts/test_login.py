from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.accounts.services import user_create
from tests.conftest import host_client
from tests.support.world import CITY_HOST, PASSWORD
from zhdj.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_on_every_site(alpha):
    for host in (CITY_HOST, alpha.host):
        response = host_client(host).get("/accounts/login/")
        assert response.status_code == 200
        assert '<html lang="zh-CN">' in response.content.decode()
        assert "登录" in response.content.decode()


def test_login_page_names_the_organization_department_not_the_host(alpha):
    for host, name in (
        (CITY_HOST, f"{settings.ZHDJ_CITY_NAME}委组织部"),
        (alpha.host, "榆阳区委组织部"),
    ):
        page = host_client(host).get("/accounts/login/").content.decode()
        assert f"登录 {name}" in page
        assert host not in page


def test_a_county_user_can_log_in_on_their_own_county_only(alpha, beta):
    with schema_context(alpha.schema):
        user_create(username="only_alpha", full_name="甲", password=PASSWORD, role="member")
    ok = host_client(alpha.host).post(
        "/accounts/login/", {"username": "only_alpha", "password": PASSWORD}
    )
    assert ok.status_code == 302
    refused = host_client(beta.host).post(
        "/accounts/login/", {"username": "only_alpha", "password": PASSWORD}
    )
    assert refused.status_code == 200
    assert "只能在本区县站点登录" in refused.content.decode()
    refused_city = host_client(CITY_HOST).post(
        "/accounts/login/", {"username": "only_alpha", "password": PASSWORD}
    )
    assert refused_city.status_code == 200


def test_same_username_in_two_counties_are_two_people(alpha_admin, beta, alpha):
    # "admin" exists in both counties; a session of alpha's admin means nothing on beta.
    cookie = alpha_admin.cookies[settings.SESSION_COOKIE_NAME].value
    stranger = host_client(beta.host)
    stranger.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = stranger.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert alpha_admin.get("/").status_code == 200


def test_a_city_session_is_useless_on_a_county_site(city_client, alpha):
    cookie = city_client.cookies[settings.SESSION_COOKIE_NAME].value
    county = host_client(alpha.host)
    county.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert county.get("/").status_code == 302


def test_session_cookie_is_host_only_and_httponly(alpha):
    response = host_client(alpha.host).post(
        "/accounts/login/", {"username": "admin", "password": PASSWORD}
    )
    morsel = response.cookies[settings.SESSION_COOKIE_NAME]
    assert morsel["domain"] == ""  # no Domain attribute: the browser keeps it to this host
    assert morsel["httponly"]
    assert settings.SESSION_COOKIE_DOMAIN is None


def test_logout_clears_the_session(alpha_admin):
    assert alpha_admin.get("/").status_code == 200
    assert alpha_admin.post("/accounts/logout/").status_code == 302
    assert alpha_admin.get("/").status_code == 302


def test_passwords_need_length_and_three_character_classes():
    user = User(username="x", full_name="某人")
    with pytest.raises(ValidationError) as excinfo:
        validate_password("abcdefghijkl", user)
    assert any("3 类" in m for m in excinfo.value.messages)
    with pytest.raises(ValidationError):
        validate_password("Ab#1", user)
    validate_password("Strong#Pass2026", user)


def test_production_hashes_with_argon2():
    from zhdj.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_county_roles_cannot_be_created_on_public_and_vice_versa(alpha):
    with pytest.raises(ApplicationError):
        user_create(username="x1", full_name="某", password=PASSWORD, role="member")
    with schema_context(alpha.schema), pytest.raises(ApplicationError):
        user_create(username="x2", full_name="某", password=PASSWORD, role="ops")
