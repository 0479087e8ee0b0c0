"""The login log and denials as security events (安全审计): LOGIN, LOGIN_FAILED,
LOCKED_OUT, LOGOUT from the auth and lockout signals; DENIED from every 403 of a page or
the API, written once, in the schema of the site asked, with the client's address."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.test import override_settings
from django_tenants.utils import schema_context

from shared.accounts.models import SecurityEvent
from tests.conftest import host_client
from tests.support.asgi import HostAsyncClient
from tests.support.world import ALPHA, BETA, CITY_HOST, PASSWORD

pytestmark = pytest.mark.django_db

Kind = SecurityEvent.Kind
LOGIN = "/accounts/login/"


BEFORE: dict[str, int] = {}


@pytest.fixture(autouse=True)
def _baseline():  # type: ignore[no-untyped-def]
    """Events written before the test: a 403 page rendered through the ASGI handler is
    written from another thread's connection (zhdj.web.errors), outside the test's
    transaction, and the table refuses deletes; each test reads only its own rows."""
    for schema in (ALPHA.schema, BETA.schema, "public"):
        with schema_context(schema):
            BEFORE[schema] = (
                SecurityEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
            )
    yield


def rows(schema: str, *kinds: str) -> list[SecurityEvent]:
    with schema_context(schema):
        found = SecurityEvent.objects.filter(kind__in=kinds, id__gt=BEFORE[schema])
        return list(found.order_by("at", "id"))


def test_login_and_logout_are_logged_with_user_and_address():
    client = host_client(ALPHA.host)
    assert client.post(LOGIN, {"username": "member", "password": PASSWORD}).status_code == 302
    assert client.post("/accounts/logout/").status_code == 302
    login, logout = rows(ALPHA.schema, Kind.LOGIN, Kind.LOGOUT)
    assert (login.kind, login.username, login.ok, login.ip) == (
        Kind.LOGIN,
        "member",
        True,
        "127.0.0.1",
    )
    assert login.user_id is not None and login.path == LOGIN
    assert (logout.kind, logout.username, logout.user_id) == (Kind.LOGOUT, "member", login.user_id)


def test_a_failed_login_is_logged_with_the_name_typed():
    host_client(ALPHA.host).post(LOGIN, {"username": "no_such_man", "password": "x"})
    [failed] = rows(ALPHA.schema, Kind.LOGIN_FAILED)
    assert failed.username == "no_such_man" and failed.user_id is None and not failed.ok
    assert "x" not in failed.detail  # never the password


def test_a_password_without_its_second_factor_is_not_logged_as_a_finished_login():
    """The city's users type a 动态口令 after the password: the login row says the password
    was right and the code is still due; the OTP row says when the login was completed."""
    from shared.accounts import otp
    from shared.accounts.models import User

    client = host_client(CITY_HOST)
    client.post(LOGIN, {"username": "city", "password": PASSWORD})
    [login] = rows("public", Kind.LOGIN)
    assert login.detail == "密码正确，待验证动态口令"
    assert rows("public", Kind.OTP) == []
    with schema_context("public"):
        user = User.objects.get(username="city")
        assert otp.pending(user) == "verify"
    member = host_client(ALPHA.host)
    member.post(LOGIN, {"username": "member", "password": PASSWORD})
    assert rows(ALPHA.schema, Kind.LOGIN)[-1].detail == ""  # no second factor: complete


def test_a_lockout_is_logged_once_when_it_starts():
    for _ in range(7):
        host_client(ALPHA.host).post(LOGIN, {"username": "member", "password": "wrong"})
    assert len(rows(ALPHA.schema, Kind.LOGIN_FAILED)) == 7
    [locked] = rows(ALPHA.schema, Kind.LOCKED_OUT)
    assert locked.username == "member" and "锁定" in locked.detail


def test_events_stay_in_the_site_asked():
    host_client(BETA.host).post(LOGIN, {"username": "member", "password": PASSWORD})
    assert len(rows(BETA.schema, Kind.LOGIN)) == 1
    assert rows(ALPHA.schema, Kind.LOGIN) == []
    assert rows("public", Kind.LOGIN) == []
    host_client(CITY_HOST).post(LOGIN, {"username": "city", "password": PASSWORD})
    assert [e.username for e in rows("public", Kind.LOGIN)] == ["city"]


@override_settings(ZHDJ_TRUSTED_PROXIES=1)
def test_the_address_logged_is_the_rightmost_of_x_forwarded_for():
    client = host_client(ALPHA.host)
    client.post(
        LOGIN,
        {"username": "member", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9",
    )
    client.post(
        LOGIN,
        {"username": "member", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.10",
    )
    failed, login = rows(ALPHA.schema, Kind.LOGIN_FAILED, Kind.LOGIN)
    assert failed.ip == "203.0.113.9" and login.ip == "203.0.113.10"


def test_without_trusted_proxies_the_header_is_ignored():
    host_client(ALPHA.host).post(
        LOGIN, {"username": "member", "password": "wrong"}, HTTP_X_FORWARDED_FOR="6.6.6.6"
    )
    [failed] = rows(ALPHA.schema, Kind.LOGIN_FAILED)
    assert failed.ip == "127.0.0.1"


def _member() -> object:
    client = host_client(ALPHA.host)
    assert client.post(LOGIN, {"username": "member", "password": PASSWORD}).status_code == 302
    return client


def test_a_denied_page_writes_one_denial():
    client = _member()
    assert client.get("/rules/").status_code == 403
    [denied] = rows(ALPHA.schema, Kind.DENIED)
    assert (denied.username, denied.path, denied.ok) == ("member", "/rules/", False)
    assert denied.ip == "127.0.0.1"


def test_a_denied_page_through_asgi_writes_its_denial_in_the_county():
    async def run() -> int:
        client = HostAsyncClient(ALPHA.host)
        await client.post(LOGIN, {"username": "member", "password": PASSWORD})
        return (await client.get("/audit/")).status_code

    assert async_to_sync(run)() == 403
    assert [e.path for e in rows(ALPHA.schema, Kind.DENIED)] == ["/audit/"]
    assert rows("public", Kind.DENIED) == []


def test_an_api_refusal_writes_one_denial_and_a_missing_login_none():
    client = _member()
    response = client.get("/api/development/")
    assert response.status_code == 403
    assert response.json()["detail"]
    [denied] = rows(ALPHA.schema, Kind.DENIED)
    assert denied.path == "/api/development/" and denied.username == "member"
    anonymous = host_client(ALPHA.host).get("/api/development/")
    assert anonymous.status_code == 403
    assert len(rows(ALPHA.schema, Kind.DENIED)) == 1


def test_a_stale_csrf_token_is_no_denial():
    from django.test import Client

    client = Client(HTTP_HOST=ALPHA.host, enforce_csrf_checks=True)
    assert client.post(LOGIN, {"username": "x", "password": "y"}).status_code == 403
    assert rows(ALPHA.schema, Kind.DENIED) == []
