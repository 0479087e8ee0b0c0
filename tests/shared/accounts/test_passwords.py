"""The password lifecycle: forced change at first login, change password, reset by SMS
code (shared/accounts: middleware, views, reset)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context

from shared.accounts import reset
from shared.accounts.models import User
from shared.accounts.services import password_reset_temporary, user_create
from tests.conftest import host_client, logged_in
from tests.support import otp
from tests.support.world import CITY_HOST, PASSWORD
from zhdj.messaging.logging import OUTBOX

pytestmark = pytest.mark.django_db

NEW = "Brand#New2027pw"
MEMBER_PHONE = "13900000003"  # the world's "member" (seq 3)


@pytest.fixture(autouse=True)
def _clean(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.ZHDJ_MESSAGING = {"BACKEND": "zhdj.messaging.logging.LoggingBackend"}
    cache.clear()  # rate-limit counters and codes of earlier tests (this run's Redis db)
    OUTBOX.clear()
    yield
    cache.clear()


def _forced(schema: str, username: str = "newbie", role: str = "member") -> User:
    with schema_context(schema):
        return user_create(
            username=username,
            full_name="新用户",
            password=PASSWORD,
            role=role,
            must_change_password=True,
        )


def _change(client, old: str = PASSWORD, new: str = NEW, **extra):  # type: ignore[no-untyped-def]
    return client.post(
        "/accounts/password/",
        {"old_password": old, "new_password1": new, "new_password2": new, **extra},
    )


# ---------------------------------------------------------------- forced change


def test_a_forced_user_is_sent_to_the_change_page_from_every_page(alpha):
    _forced(alpha.schema)
    client = logged_in(alpha.host, "newbie")
    for path in ("/", "/notifications/", "/members/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/password/"), path
    assert "next=%2Fnotifications%2F" in client.get("/notifications/")["Location"]
    page = client.get("/accounts/password/")
    assert page.status_code == 200
    assert "初始密码或管理员重置的临时密码" in page.content.decode()


def test_a_forced_user_gets_403_from_the_api_in_chinese(alpha):
    _forced(alpha.schema)
    client = logged_in(alpha.host, "newbie")
    response = client.get("/api/notifications/")
    assert response.status_code == 403
    assert "修改密码" in response.json()["detail"]


def test_health_logout_and_static_stay_open_to_a_forced_user(alpha):
    _forced(alpha.schema)
    client = logged_in(alpha.host, "newbie")
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/static/css/app.css").status_code != 302
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302  # now to the login, not the change page
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_setting_the_password_clears_the_flag_and_opens_the_pages(alpha):
    _forced(alpha.schema)
    client = logged_in(alpha.host, "newbie")
    response = _change(client, next="/notifications/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    with schema_context(alpha.schema):
        user = User.objects.get(username="newbie")
        assert not user.must_change_password and user.password_changed_at is not None
        assert user.check_password(NEW)
    assert client.get("/notifications/").status_code == 200  # the session stayed


def test_the_forced_change_works_on_the_city_site():
    user_create(
        username="city_new",
        full_name="市委新人",
        password=PASSWORD,
        role="city",
        must_change_password=True,
    )
    client = logged_in(CITY_HOST, "city_new")
    assert client.get("/")["Location"].startswith("/accounts/password/")
    assert _change(client).status_code == 302
    # Then 动态口令: a city account binds one before anything else (tests/support/otp.py).
    to_setup = client.get("/")
    assert to_setup["Location"].startswith("/accounts/otp/setup/")
    otp.complete(client.post, client.get, to_setup, CITY_HOST, "city_new")
    assert client.get("/").status_code == 200


def test_an_administrators_reset_forces_a_change_again(alpha):
    with schema_context(alpha.schema):
        temporary = password_reset_temporary(user=User.objects.get(username="member"))
    client = host_client(alpha.host)
    client.post("/accounts/login/", {"username": "member", "password": temporary})
    assert client.get("/")["Location"].startswith("/accounts/password/")


# ---------------------------------------------------------------- change password


def test_change_password_needs_the_current_one_and_the_validators(alpha_member, alpha):
    wrong = _change(alpha_member, old="Wrong#Pass2026").content.decode()
    assert "当前密码不正确" in wrong
    weak = _change(alpha_member, new="abcdefghijk").content.decode()
    assert "3 类" in weak
    mismatch = alpha_member.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW + "x"},
    ).content.decode()
    assert "两次输入的新密码不一致" in mismatch
    same = _change(alpha_member, new=PASSWORD).content.decode()
    assert "不能与当前密码相同" in same
    with schema_context(alpha.schema):
        assert User.objects.get(username="member").check_password(PASSWORD)


def test_change_password_keeps_this_session_and_ends_the_others(alpha):
    here = logged_in(alpha.host, "member")
    elsewhere = logged_in(alpha.host, "member")
    assert elsewhere.get("/").status_code == 200
    assert _change(here).status_code == 302
    assert here.get("/").status_code == 200
    gone = elsewhere.get("/")
    assert gone.status_code == 302 and gone["Location"].startswith("/accounts/login/")


def test_the_header_links_to_the_change_page(alpha_member, city_client):
    for client in (alpha_member, city_client):
        page = client.get("/").content.decode()
        assert 'href="/accounts/password/"' in page and "修改密码" in page


def test_the_change_page_needs_a_login(alpha):
    response = host_client(alpha.host).get("/accounts/password/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# ---------------------------------------------------------------- reset by SMS code


def _request_code(client, username: str = "member", phone: str = MEMBER_PHONE):  # type: ignore[no-untyped-def]
    return client.post("/accounts/password/forgot/", {"username": username, "phone": phone})


def _sent_code() -> str:
    _recipient, message = OUTBOX[-1]
    assert message.template == "accounts.reset_code"
    return message.params["code"]


def test_the_login_page_links_to_forgot_password(alpha):
    page = host_client(alpha.host).get("/accounts/login/").content.decode()
    assert 'href="/accounts/password/forgot/"' in page and "忘记密码" in page


def test_the_right_phone_gets_a_code_and_sets_a_new_password(alpha):
    client = host_client(alpha.host)
    response = _request_code(client, phone="+86 139-0000-0003")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/forgot/code/"
    assert len(OUTBOX) == 1
    recipient, _message = OUTBOX[-1]
    assert recipient.phone == MEMBER_PHONE
    code = _sent_code()
    assert len(code) == 6 and code.isdigit()
    done = client.post(
        "/accounts/password/forgot/code/",
        {"code": code, "new_password1": NEW, "new_password2": NEW},
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/login/"
    with schema_context(alpha.schema):
        user = User.objects.get(username="member")
        assert user.check_password(NEW) and user.password_changed_at is not None
    # The code is spent.
    again = client.post(
        "/accounts/password/forgot/code/",
        {"code": code, "new_password1": NEW, "new_password2": NEW},
    )
    assert again.status_code == 302 and again["Location"] == "/accounts/password/forgot/"


def test_a_wrong_phone_or_unknown_login_gets_the_same_answer_and_no_code(alpha):
    answers = []
    for username, phone in (
        ("member", MEMBER_PHONE),
        ("member", "13811112222"),
        ("nobody_here", MEMBER_PHONE),
        ("admin", MEMBER_PHONE),  # no member record
    ):
        response = _request_code(host_client(alpha.host), username, phone)
        answers.append((response.status_code, response["Location"]))
    assert len(set(answers)) == 1
    assert len(OUTBOX) == 1  # only the first


def test_a_wrong_code_counts_and_the_fifth_voids_the_code(alpha):
    client = host_client(alpha.host)
    _request_code(client)
    code = _sent_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(reset.MAX_ATTEMPTS):
        page = client.post(
            "/accounts/password/forgot/code/",
            {"code": wrong, "new_password1": NEW, "new_password2": NEW},
        )
        assert "验证码不正确或已失效" in page.content.decode()
    late = client.post(
        "/accounts/password/forgot/code/",
        {"code": code, "new_password1": NEW, "new_password2": NEW},
    )
    assert "验证码不正确或已失效" in late.content.decode()
    with schema_context(alpha.schema):
        assert User.objects.get(username="member").check_password(PASSWORD)


def test_a_code_expires_after_ten_minutes(alpha, monkeypatch):
    with schema_context(alpha.schema):
        assert reset.reset_code_request(username="member", phone=MEMBER_PHONE, ip="1.2.3.4")
        code = _sent_code()
        real = time.time
        monkeypatch.setattr(reset.time, "time", lambda: real() + reset.CODE_SECONDS + 1)
        assert reset.reset_code_check(username="member", code=code) is None


def test_a_weak_new_password_does_not_spend_an_attempt(alpha):
    client = host_client(alpha.host)
    _request_code(client)
    code = _sent_code()
    page = client.post(
        "/accounts/password/forgot/code/",
        {"code": code, "new_password1": "abc", "new_password2": "abc"},
    ).content.decode()
    assert "密码" in page and "errorlist" in page
    with schema_context(alpha.schema):
        entry = cache.get(reset._key("code", "member"))
        assert entry["attempts"] == 0


def test_code_requests_are_rate_limited_per_login_and_per_address(alpha):
    client = host_client(alpha.host)
    for _ in range(reset.PER_USERNAME):
        assert _request_code(client, phone="13811112222").status_code == 302
    refused = _request_code(client, phone="13811112222")
    assert refused.status_code == 200 and "操作过于频繁" in refused.content.decode()
    for n in range(reset.PER_ADDRESS - reset.PER_USERNAME):
        _request_code(client, username=f"someone{n}")
    assert "操作过于频繁" in _request_code(client, username="another").content.decode()


def test_the_city_site_sends_no_code_and_says_whom_to_ask():
    page = host_client(CITY_HOST).get("/accounts/password/forgot/").content.decode()
    assert "账号管理员" in page and 'name="phone"' not in page


def test_the_code_is_stored_hashed(alpha):
    with schema_context(alpha.schema):
        reset.reset_code_request(username="member", phone=MEMBER_PHONE, ip="1.2.3.4")
        entry = cache.get(reset._key("code", "member"))
    assert _sent_code() not in str(entry)


def test_an_onboarded_administrator_needs_no_staff_flag(alpha):
    with schema_context(alpha.schema):
        admin = User.objects.get(username="admin")
        assert not admin.is_staff and admin.is_county_admin
    client = logged_in(alpha.host, "admin")
    for path in ("/", "/members/", "/orgs/", "/notifications/", "/accounts/password/"):
        assert client.get(path).status_code == 200, path
