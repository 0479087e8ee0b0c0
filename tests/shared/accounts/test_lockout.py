"""Login lockout (登录失败处理): django-axes counting failures per name and address, per
address and per name, in each site's own schema; the Chinese 429 login page; unlocking
by the security administrator (and ops on the city site)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import SecurityEvent, User
from shared.accounts.services import user_create
from tests.conftest import host_client
from tests.support.asgi import HostAsyncClient
from tests.support.otp import login as otp_login
from tests.support.world import ALPHA, BETA, CITY_HOST, PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LOCKOUTS = "/accounts/lockouts/"
UNLOCK = "/accounts/lockouts/unlock/"


def attempt(host: str, username: str, password: str = "Wrong#Pass2026", **extra: str):  # type: ignore[no-untyped-def]
    return host_client(host).post(LOGIN, {"username": username, "password": password}, **extra)


def fail(host: str, username: str, times: int, **extra: str) -> list:  # type: ignore[type-arg]
    return [attempt(host, username, **extra) for _ in range(times)]


def signed_in(host: str, username: str) -> Client:
    """Password, then 动态口令 for the roles that need one (the suite's one helper)."""
    client = host_client(host)
    otp_login(client, host, username, PASSWORD)
    return client


def security_admin(schema: str, username: str = "anquan_t") -> str:
    with schema_context(schema):
        user_create(
            username=username,
            full_name="安全管理员",
            password=PASSWORD,
            role=User.Role.SECURITY_ADMIN,
        )
    return username


def events(schema: str, kind: str) -> list[SecurityEvent]:
    with schema_context(schema):
        return list(SecurityEvent.objects.filter(kind=kind).order_by("at", "id"))


# --- Locking --------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_name_from_that_address_with_a_chinese_429_page():
    answers = fail(ALPHA.host, "member", 4)
    for n, answer in enumerate(answers):
        page = answer.content.decode()
        assert answer.status_code == 200
        assert f"再输错 {4 - n} 次将锁定 30 分钟" in page
    fifth = attempt(ALPHA.host, "member")
    page = fifth.content.decode()
    assert fifth.status_code == 429
    assert "已暂时锁定" in page and "30 分钟后再试" in page
    assert 'lang="zh-CN"' in page and 'name="username"' in page  # the login page again
    assert "Account locked" not in page  # never axes' English answer
    # The right password is refused while the lock lasts, without being checked.
    right = attempt(ALPHA.host, "member", PASSWORD)
    assert right.status_code == 429 and "已暂时锁定" in right.content.decode()
    locked = events(ALPHA.schema, SecurityEvent.Kind.LOCKED_OUT)
    assert [(e.username, e.ok) for e in locked] == [("member", False)]
    failed = events(ALPHA.schema, SecurityEvent.Kind.LOGIN_FAILED)
    assert len(failed) == 6
    assert failed[-1].detail == "登录已锁定，未校验密码"


def test_the_answer_is_the_same_for_a_name_that_does_not_exist():
    real = _error(attempt(ALPHA.host, "member").content.decode())
    made_up = _error(attempt(ALPHA.host, "nobody_here").content.decode())
    assert "再输错 4 次将锁定 30 分钟" in real
    assert real == made_up
    assert fail(ALPHA.host, "nobody_here", 4)[-1].status_code == 429


def _error(page: str) -> str:
    found = re.search(r'<div class="msg msg--error" role="alert">(.*?)</div>', page, re.S)
    assert found, page
    return found.group(1)


def test_alphas_lockout_does_not_lock_betas_user_of_the_same_name():
    fail(ALPHA.host, "member", 5)
    assert attempt(ALPHA.host, "member", PASSWORD).status_code == 429
    assert attempt(BETA.host, "member", PASSWORD).status_code == 302
    with schema_context(ALPHA.schema):
        assert AccessAttempt.objects.filter(username="member").exists()
    with schema_context(BETA.schema):
        assert not AccessAttempt.objects.exists()
    connection.set_schema_to_public()
    assert not AccessAttempt.objects.exists()


def test_another_address_is_not_locked_by_one_addresses_failures():
    fail(ALPHA.host, "member", 5, REMOTE_ADDR="10.0.0.1")
    assert attempt(ALPHA.host, "member", PASSWORD, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert attempt(ALPHA.host, "member", PASSWORD, REMOTE_ADDR="10.0.0.2").status_code == 302


@override_settings(ZHDJ_LOGIN_IP_FAILURE_LIMIT=6)
def test_one_address_trying_many_names_is_locked():
    for n in range(6):
        attempt(ALPHA.host, f"guess{n}", REMOTE_ADDR="10.0.0.9")
    refused = attempt(ALPHA.host, "branchsec", PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert refused.status_code == 429
    assert attempt(ALPHA.host, "branchsec", PASSWORD, REMOTE_ADDR="10.0.0.10").status_code == 302


@override_settings(ZHDJ_LOGIN_USER_FAILURE_LIMIT=6)
def test_one_name_tried_from_many_addresses_is_locked():
    for n in range(6):
        attempt(ALPHA.host, "member", REMOTE_ADDR=f"10.0.1.{n}")
    assert attempt(ALPHA.host, "member", PASSWORD, REMOTE_ADDR="10.0.2.1").status_code == 429
    assert attempt(ALPHA.host, "branchsec", PASSWORD, REMOTE_ADDR="10.0.2.1").status_code == 302


def test_a_successful_login_clears_that_names_failures_from_that_address():
    fail(ALPHA.host, "member", 4)
    assert attempt(ALPHA.host, "member", PASSWORD).status_code == 302
    answers = fail(ALPHA.host, "member", 4)
    assert [a.status_code for a in answers] == [200, 200, 200, 200]


def test_the_lock_ends_by_itself_after_the_cool_off_time():
    fail(ALPHA.host, "member", 5)
    with schema_context(ALPHA.schema):
        AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert attempt(ALPHA.host, "member", PASSWORD).status_code == 302


@override_settings(ZHDJ_TRUSTED_PROXIES=1)
def test_the_address_counted_is_the_one_our_proxy_saw():
    # The client writes the leftmost entry; nginx appends the address it saw.
    for n in range(5):
        attempt(ALPHA.host, "member", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 10.9.8.7")
    with schema_context(ALPHA.schema):
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.9.8.7"}
    spoofed = attempt(ALPHA.host, "member", PASSWORD, HTTP_X_FORWARDED_FOR="5.5.5.5, 10.9.8.7")
    assert spoofed.status_code == 429


def test_the_lockout_answer_through_asgi_is_the_login_page_with_429():
    """Under daphne axes' middleware takes its async path (which lost the view's answer)."""
    fail(ALPHA.host, "member", 4)

    async def run():  # type: ignore[no-untyped-def]
        client = HostAsyncClient(ALPHA.host)
        return await client.post(LOGIN, {"username": "member", "password": "Wrong#Pass2026"})

    response = async_to_sync(run)()
    page = response.content.decode()
    assert response.status_code == 429
    assert "已暂时锁定" in page and 'name="username"' in page


def test_the_sms_password_reset_is_limited_per_name_and_per_address(settings):
    settings.ZHDJ_TRUSTED_PROXIES = 1
    client = host_client(ALPHA.host)
    answers = [
        client.post(
            "/accounts/password/forgot/",
            {"username": "reset_probe", "phone": "13800000000"},
            HTTP_X_FORWARDED_FOR=f"1.1.1.{n}, 10.7.7.{n}",
        )
        for n in range(4)
    ]
    assert [a.status_code for a in answers[:3]] == [302, 302, 302]
    assert "操作过于频繁" in answers[3].content.decode()
    # Per address (the one our proxy saw): ten names, then the eleventh is refused.
    by_address = [
        host_client(ALPHA.host).post(
            "/accounts/password/forgot/",
            {"username": f"reset_probe{n}", "phone": "13800000000"},
            HTTP_X_FORWARDED_FOR=f"9.9.9.{n}, 10.6.6.6",
        )
        for n in range(11)
    ]
    assert [a.status_code for a in by_address[:10]] == [302] * 10
    assert "操作过于频繁" in by_address[10].content.decode()


# --- Unlocking --------------------------------------------------------------------------


def test_the_security_administrator_lists_and_releases_a_lock():
    fail(ALPHA.host, "member", 5, REMOTE_ADDR="10.3.3.3")
    admin = signed_in(ALPHA.host, security_admin(ALPHA.schema))
    page = admin.get(LOCKOUTS)
    text = page.content.decode()
    assert page.status_code == 200
    assert "登录锁定" in text and "member" in text and "10.3.3.3" in text and "解锁" in text
    assert "确认解锁" in text  # the confirmation step
    done = admin.post(UNLOCK, {"kind": "user_ip", "username": "member", "ip": "10.3.3.3"})
    assert done.status_code == 302 and done["Location"] == LOCKOUTS
    assert "当前没有被锁定" in admin.get(LOCKOUTS).content.decode()
    assert attempt(ALPHA.host, "member", PASSWORD, REMOTE_ADDR="10.3.3.3").status_code == 302
    [event] = events(ALPHA.schema, SecurityEvent.Kind.ACCOUNT)
    assert event.username == "anquan_t" and event.target == "member"
    assert "解除登录锁定" in event.detail and event.ip == "127.0.0.1"


@pytest.mark.parametrize("username", ["admin", "branchsec", "member"])
def test_other_county_users_may_not_see_or_release_locks(username):
    fail(ALPHA.host, "other_name", 5)
    client = signed_in(ALPHA.host, username)
    assert client.get(LOCKOUTS).status_code == 403
    refused = client.post(UNLOCK, {"kind": "user_ip", "username": "other_name", "ip": "127.0.0.1"})
    assert refused.status_code == 403
    with schema_context(ALPHA.schema):
        assert AccessAttempt.objects.filter(username="other_name").exists()
    assert host_client(ALPHA.host).get(LOCKOUTS).status_code == 302  # anonymous: the login


def test_a_county_security_administrator_sees_only_their_countys_locks():
    fail(ALPHA.host, "alpha_only", 5)
    beta_admin = signed_in(BETA.host, security_admin(BETA.schema))
    assert "alpha_only" not in beta_admin.get(LOCKOUTS).content.decode()
    beta_admin.post(UNLOCK, {"kind": "user", "username": "alpha_only", "ip": ""})
    with schema_context(ALPHA.schema):
        assert AccessAttempt.objects.filter(username="alpha_only").exists()


def test_ops_release_a_city_lock_and_a_city_user_may_not():
    fail(CITY_HOST, "city", 5)
    assert attempt(CITY_HOST, "city", PASSWORD).status_code == 429
    connection.set_schema_to_public()
    ops = signed_in(CITY_HOST, "ops")
    assert "city" in ops.get(LOCKOUTS).content.decode()
    ops.post(UNLOCK, {"kind": "user_ip", "username": "city", "ip": "127.0.0.1"})
    city = signed_in(CITY_HOST, "city")
    assert city.get(LOCKOUTS).status_code == 403
    connection.set_schema_to_public()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ACCOUNT, username="ops").exists()


def test_an_unlock_request_with_bad_fields_is_a_chinese_message_not_an_error():
    admin = signed_in(ALPHA.host, security_admin(ALPHA.schema))
    response = admin.post(UNLOCK, {"kind": "everything", "ip": "not-an-ip"}, follow=True)
    assert response.status_code == 200
    assert "请求不完整" in response.content.decode()
    assert admin.get(UNLOCK).status_code == 405
