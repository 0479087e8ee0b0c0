"""Account writes (账号服务)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import connection, transaction

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
) -> User:
    """Create a login in the current schema (public for city/ops, a county otherwise).

    ``password`` is validated and hashed here; ``password_hash`` is an already
    validated password's hash (queued jobs never carry a clear password).
    """
    in_public = connection.schema_name == "public"
    if (role in User.PUBLIC_ROLES) != in_public:
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
    User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
    user.is_active = False
    return user


@transaction.atomic
def user_change_role(*, user: User, role: str, expect: str | None = None) -> User:
    """Change a county login's role (角色变更), e.g. 入党申请人 → 党员 when the applicant is
    admitted. ``expect``: change only from this role (a county admin stays one)."""
    if role in User.PUBLIC_ROLES or role not in User.Role.values:
        raise ApplicationError("不能改为该角色。", field="role")
    user = User.objects.select_for_update().get(pk=user.pk)
    if expect is not None and user.role != expect:
        return user
    user.role = role
    user.save(update_fields=["role"])
    return user
