"""Sessions (issue 17): the idle timeout that only real activity extends, the absolute cap,
the answer an ended session gets, and 登录设备 (list and end one's sessions)."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts import sessions
from shared.accounts.models import SecurityEvent, User, UserSession
from shared.accounts.services import user_deactivate
from tests.conftest import host_client
from tests.support.world import PASSWORD
from zhdj.web.sessions import ENDED_MESSAGE

pytestmark = pytest.mark.django_db

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
IPHONE_WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323b) NetType/WIFI"
)
WINDOWS_EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)


def _login(host: str, username: str = "member", agent: str = ANDROID_CHROME, ip: str = "10.1.2.3"):  # type: ignore[no-untyped-def]
    client = host_client(host)
    client.defaults.update(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def _key(client) -> str:  # type: ignore[no-untyped-def]
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _store(schema: str, key: str):  # type: ignore[no-untyped-def]
    with schema_context(schema):
        store = import_module(settings.SESSION_ENGINE).SessionStore(key)
        store.load()
        return store


def _edit_session(schema: str, key: str, **values: object) -> None:
    with schema_context(schema):
        store = import_module(settings.SESSION_ENGINE).SessionStore(key)
        for name, value in values.items():
            store[name] = value
        store.save()


def _expiry(schema: str, key: str):  # type: ignore[no-untyped-def]
    with schema_context(schema):
        return Session.objects.get(session_key=key).expire_date


def _assert_sent_to_login(response, path: str = "") -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    if path:
        assert path in response["Location"]


# ---------------------------------------------------------------- the device


@pytest.mark.parametrize(
    ("agent", "summary"),
    [
        (ANDROID_CHROME, "Chrome · Android"),
        (IPHONE_WECHAT, "微信 · iPhone"),
        (WINDOWS_EDGE, "Edge · Windows"),
        ("", "未知设备"),
        ("python-requests/2.32", "程序客户端"),
    ],
)
def test_the_device_is_named_in_chinese(agent: str, summary: str) -> None:
    assert sessions.device_summary(agent) == summary


# ---------------------------------------------------------------- login records


def test_login_records_the_session_hashed_with_device_and_address(alpha):
    client = _login(alpha.host)
    key = _key(client)
    with schema_context(alpha.schema):
        row = UserSession.objects.get(user__username="member")
        assert row.key_hash == sessions.key_hash(key) and key not in row.key_hash
        assert row.device == "Chrome · Android"
        assert row.ip == "10.1.2.3"
    store = _store(alpha.schema, key)
    assert abs(store[sessions.LOGIN_AT] - time.time()) < 30


# ---------------------------------------------------------------- idle timeout


def test_background_requests_do_not_extend_the_session_real_ones_do(alpha):
    client = _login(alpha.host)
    key = _key(client)
    assert client.get("/").status_code in (200, 302)  # the first page after login
    # Make the last refresh old enough that the next real request pushes the expiry.
    _edit_session(alpha.schema, key, **{sessions.TOUCHED: int(time.time()) - 3600})
    with schema_context(alpha.schema):
        Session.objects.filter(session_key=key).update(
            expire_date=timezone.now() + timedelta(seconds=300)
        )
        UserSession.objects.filter(key_hash=sessions.key_hash(key)).update(
            last_activity=timezone.now() - timedelta(minutes=10)
        )
    before = _expiry(alpha.schema, key)

    for _ in range(3):  # polling, a dashboard refresh, HTMX: the page asking by itself
        response = client.get("/notifications/", HTTP_X_ZHDJ_BACKGROUND="1")
        assert response.status_code == 200
    assert _expiry(alpha.schema, key) == before
    with schema_context(alpha.schema):
        row = UserSession.objects.get(key_hash=sessions.key_hash(key))
        assert timezone.now() - row.last_activity > timedelta(minutes=9)

    assert client.get("/notifications/").status_code == 200  # the user clicked
    after = _expiry(alpha.schema, key)
    assert after - timezone.now() > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    with schema_context(alpha.schema):
        row = UserSession.objects.get(key_hash=sessions.key_hash(key))
        assert timezone.now() - row.last_activity < timedelta(minutes=1)


def _expire(schema: str, key: str) -> None:
    with schema_context(schema):
        Session.objects.filter(session_key=key).update(
            expire_date=timezone.now() - timedelta(seconds=1)
        )


def test_an_idle_session_sends_a_page_to_login_with_the_message(alpha):
    client = _login(alpha.host)
    _expire(alpha.schema, _key(client))
    response = client.get("/notifications/")
    _assert_sent_to_login(response, "next=/notifications/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert ENDED_MESSAGE in page.content.decode()
    # The cookie is gone: the next visit is a plain anonymous one, no message again.
    page = client.get("/accounts/login/")
    assert ENDED_MESSAGE not in page.content.decode()


def test_an_idle_session_gets_401_in_chinese_from_the_api_and_background(alpha):
    client = _login(alpha.host)
    key = _key(client)
    _expire(alpha.schema, key)
    response = client.get("/api/members/")
    assert response.status_code == 401
    assert response.json()["detail"] == ENDED_MESSAGE

    client = _login(alpha.host)
    _expire(alpha.schema, _key(client))
    response = client.get("/notifications/", HTTP_X_ZHDJ_BACKGROUND="1")
    assert response.status_code == 401 and response.json()["detail"] == ENDED_MESSAGE

    client = _login(alpha.host)
    _expire(alpha.schema, _key(client))
    response = client.get("/notifications/", HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/accounts/login/"


def test_a_session_without_login_gets_no_timeout_message(alpha):
    client = host_client(alpha.host)
    client.get("/accounts/login/")  # an anonymous visitor: no session row is written
    response = client.get("/notifications/")
    _assert_sent_to_login(response)
    assert ENDED_MESSAGE not in client.get(response["Location"]).content.decode()


# ---------------------------------------------------------------- absolute cap


def test_the_absolute_cap_ends_a_busy_session(alpha, settings):
    client = _login(alpha.host)
    key = _key(client)
    assert client.get("/notifications/").status_code == 200
    login_at = int(time.time()) - settings.ZHDJ_SESSION_MAX_AGE - 5
    _edit_session(alpha.schema, key, **{sessions.LOGIN_AT: login_at})
    response = client.get("/notifications/")
    _assert_sent_to_login(response)
    assert ENDED_MESSAGE in client.get(response["Location"]).content.decode()
    with schema_context(alpha.schema):
        assert not Session.objects.filter(session_key=key).exists()
        assert not UserSession.objects.filter(key_hash=sessions.key_hash(key)).exists()
        event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SESSION_ENDED).first()
        assert event is not None and event.username == "member"
        assert "最长会话时间" in event.detail


def test_the_cap_can_be_set_from_the_environment(alpha, settings):
    settings.ZHDJ_SESSION_MAX_AGE = 60
    client = _login(alpha.host)
    _edit_session(alpha.schema, _key(client), **{sessions.LOGIN_AT: int(time.time()) - 61})
    _assert_sent_to_login(client.get("/notifications/"))


# ---------------------------------------------------------------- 登录设备


def test_my_sessions_are_listed_with_this_one_marked(alpha):
    phone = _login(alpha.host)
    desk = _login(alpha.host, agent=WINDOWS_EDGE, ip="10.9.9.9")
    _login(alpha.host, username="admin")  # someone else's: never listed
    page = desk.get("/accounts/sessions/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "登录设备" in html and "Chrome · Android" in html and "Edge · Windows" in html
    assert html.count('data-testid="session-current"') == 1
    with schema_context(alpha.schema):
        mine = UserSession.objects.get(key_hash=sessions.key_hash(_key(desk)))
        other = UserSession.objects.get(key_hash=sessions.key_hash(_key(phone)))
        assert UserSession.objects.filter(user__username="admin").count() >= 1
    assert f'data-testid="session-{mine.pk}" data-current="1"' in html
    assert f'data-testid="session-end-{other.pk}"' in html
    assert f'data-testid="session-end-{mine.pk}"' not in html
    assert page.context["others"] == 1


def test_ending_one_session_signs_that_device_out(alpha):
    phone = _login(alpha.host)
    desk = _login(alpha.host, agent=WINDOWS_EDGE)
    with schema_context(alpha.schema):
        other = UserSession.objects.get(key_hash=sessions.key_hash(_key(phone)))
    response = desk.post("/accounts/sessions/end/", {"session": str(other.pk)})
    assert response.status_code == 302
    assert "已退出该设备上的登录" in desk.get("/accounts/sessions/").content.decode()
    response = phone.get("/notifications/")
    _assert_sent_to_login(response)
    assert ENDED_MESSAGE in phone.get(response["Location"]).content.decode()
    assert desk.get("/notifications/").status_code == 200
    with schema_context(alpha.schema):
        event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SESSION_ENDED).first()
        assert event.username == "member" and "Chrome · Android" in event.target


def test_one_cannot_end_another_users_session_or_one_by_rubbish(alpha):
    victim = _login(alpha.host, username="branchsec")
    member = _login(alpha.host)
    with schema_context(alpha.schema):
        theirs = UserSession.objects.get(key_hash=sessions.key_hash(_key(victim)))
    for value in (str(theirs.pk), "abc", "", "-1", "9" * 30, "²", "١٢"):
        response = member.post("/accounts/sessions/end/", {"session": value})
        assert response.status_code == 302
    assert victim.get("/notifications/").status_code == 200
    assert member.get("/accounts/sessions/end/").status_code == 405


def test_ending_all_others_keeps_this_one(alpha):
    clients = [_login(alpha.host) for _ in range(3)]
    keeper = clients[-1]
    response = keeper.post("/accounts/sessions/end/", {"session": "others"})
    assert response.status_code == 302
    assert "已退出其他 2 个设备上的登录" in keeper.get("/accounts/sessions/").content.decode()
    for client in clients[:-1]:
        _assert_sent_to_login(client.get("/notifications/"))
    assert keeper.get("/notifications/").status_code == 200
    with schema_context(alpha.schema):
        assert UserSession.objects.filter(user__username="member").count() == 1


def test_logout_forgets_the_session(alpha):
    client = _login(alpha.host)
    key = _key(client)
    client.post("/accounts/logout/")
    with schema_context(alpha.schema):
        assert not UserSession.objects.filter(key_hash=sessions.key_hash(key)).exists()


def test_deactivating_a_user_ends_their_sessions(alpha):
    client = _login(alpha.host)
    with schema_context(alpha.schema):
        user = User.objects.get(username="member")
        user_deactivate(user=user)
        assert not UserSession.objects.filter(user=user).exists()
        assert SecurityEvent.objects.filter(
            kind=SecurityEvent.Kind.SESSION_ENDED, detail="账号已停用"
        ).exists()
    response = client.get("/notifications/")
    _assert_sent_to_login(response)
    assert ENDED_MESSAGE in client.get(response["Location"]).content.decode()


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(alpha):
    other = _login(alpha.host)
    mine = _login(alpha.host, agent=WINDOWS_EDGE)
    new = "Brand#New2027pw"
    response = mine.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    _assert_sent_to_login(other.get("/notifications/"))
    assert mine.get("/notifications/").status_code == 200
    page = mine.get("/accounts/sessions/").content.decode()
    # The page's session changed its key (update_session_auth_hash): still listed, as this one.
    assert page.count('data-testid="session-current"') == 1
    assert "Chrome · Android" not in page


def test_the_page_speaks_chinese_and_needs_a_login(alpha):
    from tests.support.sweep import english_words

    anonymous = host_client(alpha.host).get("/accounts/sessions/")
    _assert_sent_to_login(anonymous)
    assert host_client(alpha.host).post("/accounts/sessions/end/").status_code == 302
    client = _login(alpha.host, username="branchsec", agent="")
    page = client.get("/accounts/sessions/")
    assert page.status_code == 200
    main = re.search(r"<main[^>]*>(.*)</main>", page.content.decode(), re.S)
    text = re.sub(r"<[^>]+>", " ", main.group(1))
    assert english_words(text) == []
    assert client.get("/accounts/sessions/end/").status_code == 405
