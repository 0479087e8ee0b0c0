"""Password rules (等保, issue 17): expiry after ``ZHDJ_PASSWORD_MAX_AGE_DAYS`` forced at
login through the must-change path, none of the last five passwords again, a security
event on every change and reset."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import PasswordHistory, SecurityEvent, User
from shared.accounts.services import password_change, password_reset_temporary, user_create
from tests.conftest import logged_in
from tests.support.world import PASSWORD

pytestmark = pytest.mark.django_db

PASSWORDS = [f"Rule#Pass{n}2027x" for n in range(1, 8)]


def _member(schema: str) -> User:
    with schema_context(schema):
        return User.objects.get(username="member")


def _age(schema: str, username: str, days: int) -> None:
    with schema_context(schema):
        User.objects.filter(username=username).update(
            password_changed_at=timezone.now() - timedelta(days=days)
        )


# ---------------------------------------------------------------- history


def test_none_of_the_last_five_passwords_again(alpha):
    with schema_context(alpha.schema):
        user = User.objects.get(username="member")
        for password in PASSWORDS[:5]:
            password_change(user=user, new_password=password)
        user.refresh_from_db()
        for old in PASSWORDS[:4]:
            with pytest.raises(ValidationError) as refused:
                validate_password(old, user)
            assert "最近 5 次使用过的密码" in str(refused.value)
        with pytest.raises(ValidationError) as refused:
            validate_password(PASSWORDS[4], user)
        assert "不能与当前密码相同" in str(refused.value)
        # The world's first password is the sixth back now: allowed again.
        validate_password(PASSWORD, user)
        assert PasswordHistory.objects.filter(user=user).count() == 5


def test_the_change_page_refuses_a_recent_password_in_chinese(alpha):
    client = logged_in(alpha.host, "member")
    first, second = PASSWORDS[0], PASSWORDS[1]
    for old, new in ((PASSWORD, first), (first, second)):
        response = client.post(
            "/accounts/password/",
            {"old_password": old, "new_password1": new, "new_password2": new},
        )
        assert response.status_code == 302
    response = client.post(
        "/accounts/password/",
        {"old_password": second, "new_password1": first, "new_password2": first},
    )
    assert response.status_code == 200
    assert "新密码不能与最近 5 次使用过的密码相同" in response.content.decode()
    with schema_context(alpha.schema):
        assert User.objects.get(username="member").check_password(second)


def test_a_password_set_before_the_history_counts_too(alpha):
    with schema_context(alpha.schema):
        user = User.objects.get(username="member")
        PasswordHistory.objects.filter(user=user).delete()
        with pytest.raises(ValidationError, match="不能与当前密码相同"):
            validate_password(PASSWORD, user)


def test_a_new_login_starts_its_history_and_its_password_age(alpha):
    with schema_context(alpha.schema):
        user = user_create(
            username="rules_new", full_name="新用户", password=PASSWORD, role="member"
        )
        user.refresh_from_db()
        assert user.password_changed_at is not None
        assert timezone.now() - user.password_changed_at < timedelta(minutes=1)
        assert PasswordHistory.objects.filter(user=user).count() == 1


# ---------------------------------------------------------------- expiry


def test_an_expired_password_is_changed_at_login(alpha, settings):
    settings.ZHDJ_PASSWORD_MAX_AGE_DAYS = 90
    _age(alpha.schema, "member", 91)
    client = logged_in(alpha.host, "member")
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/password/")
    page = client.get("/accounts/password/").content.decode()
    assert "已超过 90 天未更换" in page
    assert client.get("/api/notifications/").status_code == 403
    new = PASSWORDS[0]
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert client.get("/notifications/").status_code == 200
    user = _member(alpha.schema)
    assert not user.must_change_password
    assert timezone.now() - user.password_changed_at < timedelta(minutes=1)


def test_a_password_within_its_age_is_not_forced(alpha, settings):
    settings.ZHDJ_PASSWORD_MAX_AGE_DAYS = 90
    _age(alpha.schema, "member", 89)
    client = logged_in(alpha.host, "member")
    assert client.get("/notifications/").status_code == 200
    assert not _member(alpha.schema).must_change_password


def test_expiry_can_be_turned_off(alpha, settings):
    settings.ZHDJ_PASSWORD_MAX_AGE_DAYS = 0
    _age(alpha.schema, "member", 4000)
    client = logged_in(alpha.host, "member")
    assert client.get("/notifications/").status_code == 200


def test_the_seeded_world_does_not_expire(alpha):
    """Test and demo users get their password date when created (user_create)."""
    with schema_context(alpha.schema):
        ages = User.objects.values_list("password_changed_at", flat=True)
        assert all(at is not None and timezone.now() - at < timedelta(days=1) for at in ages)


# ---------------------------------------------------------------- events


def test_every_change_and_reset_is_a_security_event(alpha):
    client = logged_in(alpha.host, "member")
    new = PASSWORDS[0]
    client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    with schema_context(alpha.schema):
        change = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PASSWORD).first()
        assert change is not None and change.username == "member" and change.detail == "修改密码"
        assert change.ip == "127.0.0.1"
        password_reset_temporary(user=User.objects.get(username="member"))
        reset = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PASSWORD).first()
        assert reset.pk != change.pk and reset.detail == "重置为临时密码"
        assert "member" in reset.target


def test_an_administrators_reset_ends_the_users_sessions(alpha):
    client = logged_in(alpha.host, "member")
    assert client.get("/notifications/").status_code == 200
    with schema_context(alpha.schema):
        password_reset_temporary(user=User.objects.get(username="member"))
    response = client.get("/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "会话已超时，请重新登录" in client.get(response["Location"]).content.decode()
