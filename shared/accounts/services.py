"""Account writes (账号服务)."""

from __future__ import annotations

import secrets
import string

from django.contrib.auth.password_validation import validate_password
from django.db import connection, transaction
from django.utils import timezone

from shared.accounts import events, sessions
from shared.accounts.models import User
from zhdj.errors import ApplicationError


@transaction.atomic
def user_create(
    *,
    username: str,
    full_name: str,
    password: str = "",
    password_hash: str = "",
    role: str,
    is_staff: bool = False,
    is_superuser: bool = False,
    must_change_password: bool = False,
    manages_accounts: bool = False,
) -> User:
    """Create a login in the current schema (public for city/ops, a county otherwise).

    ``password`` is validated and hashed here; ``password_hash`` is an already
    validated password's hash (queued jobs never carry a clear password).
    ``must_change_password``: the password was chosen by someone else (an administrator,
    the ops team at onboarding): the user replaces it at the first login.
    """
    in_public = connection.schema_name == "public"
    if role not in (User.PUBLIC_ROLES if in_public else User.COUNTY_ROLES):
        raise ApplicationError(f"角色“{User.Role(role).label}”不能在此站点创建。", field="role")
    if User.objects.filter(username=username).exists():
        raise ApplicationError(f"用户名“{username}”已存在。", field="username")
    if is_superuser and role != User.Role.OPS:
        raise ApplicationError("只有运维人员可以是超级管理员。", field="is_superuser")
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        is_staff=is_staff,
        is_superuser=is_superuser,
        must_change_password=must_change_password,
        manages_accounts=manages_accounts and role == User.Role.CITY,
        password_changed_at=timezone.now(),  # the password's age (expiry) starts now
    )
    if password:
        validate_password(password, user)
        user.set_password(password)
    elif password_hash:
        user.password = password_hash
    else:
        raise ApplicationError("请设置密码。", field="password")
    user.save()
    return user


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """Close a login (停用账号), e.g. when the member's relationship leaves the county.

    An inactive user fails ``ModelBackend.get_user``, so their sessions end at once.
    Idempotent: deactivating an inactive user changes nothing.
    """
    if User.objects.filter(pk=user.pk, is_active=True).update(is_active=False):
        sessions.sessions_end_for_user(user, detail="账号已停用")
    user.is_active = False
    return user


@transaction.atomic
def user_change_role(*, user: User, role: str, expect: str | None = None) -> User:
    """Change a county login's role (角色变更), e.g. 入党申请人 → 党员 when the applicant is
    admitted. ``expect``: change only from this role (a county admin stays one)."""
    if role not in User.COUNTY_ROLES:
        raise ApplicationError("不能改为该角色。", field="role")
    user = User.objects.select_for_update().get(pk=user.pk)
    if expect is not None and user.role != expect:
        return user
    user.role = role
    user.save(update_fields=["role"])
    return user


# ------------------------------------------------------------------------------
# The password lifecycle (docs/security.md): temporary passwords are replaced at the
# next login; a changed password ends the user's other sessions (Django's session
# hash is derived from the password hash, so their sessions no longer verify).
# ------------------------------------------------------------------------------
TEMPORARY_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0OolI1")


def password_temporary() -> str:
    """A random temporary password that meets the validators (12 characters: upper and
    lower case letters and digits, no look-alikes, plus one symbol)."""
    while True:
        chars = [secrets.choice(TEMPORARY_ALPHABET) for _ in range(11)]
        chars.insert(secrets.randbelow(12), secrets.choice("#@%+=?"))
        password = "".join(chars)
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
        ):
            return password


@transaction.atomic
def password_change(
    *,
    user: User,
    new_password: str,
    keep_session_key: str | None = None,
    detail: str = "修改密码",
) -> User:
    """The user sets their own password (validated here, none of the last five again):
    the forced change is done. Every session of the user ends but ``keep_session_key``
    (the one that changed it); the change is a security event."""
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    events.record(events.Kind.PASSWORD, username=user.get_username(), target=user, detail=detail)
    sessions.sessions_end_for_user(user, keep_session_key=keep_session_key, detail="密码已修改")
    return user


@transaction.atomic
def password_reset_temporary(*, user: User) -> str:
    """An administrator's reset: a new temporary password, to be changed at the next
    login. Returns it in clear, to be shown once (or sent); only its hash is stored."""
    password = password_temporary()
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    events.record(
        events.Kind.PASSWORD, username=user.get_username(), target=user, detail="重置为临时密码"
    )
    sessions.sessions_end_for_user(user, detail="密码已重置")
    return password


@transaction.atomic
def user_set_active(*, user: User, active: bool) -> User:
    """Disable (停用) or re-enable (启用) a login. A disabled user's sessions end at once
    (``ModelBackend.get_user`` refuses inactive users)."""
    changed = User.objects.filter(pk=user.pk).exclude(is_active=active).update(is_active=active)
    if changed and not active:
        sessions.sessions_end_for_user(user, detail="账号已停用")
    user.is_active = active
    return user
