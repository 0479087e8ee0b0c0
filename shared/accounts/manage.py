"""City and ops accounts, managed on the city site (市级账号管理), not in Django's admin.

Who may do what (least privilege; also said on the page and in docs/security.md):

- an ops user (运维人员) manages every city and ops account, and the city's security
  administrator and auditor (三员分立, ``shared/accounts/roles.py``): creates them, resets
  their passwords, disables and re-enables them, and names city account administrators;
- a city user flagged as account administrator (账号管理员) manages city accounts only:
  no ops account, and they cannot make another account administrator;
- every other city user manages none (the page answers 403);
- nobody resets or disables their own account here (their own password is changed on the
  change-password page; an administrator cannot lock themselves out).

Every service checks this itself; the views' guard is not enough. Every change is a
security event (账号变更).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from shared.accounts.events import Kind, record
from shared.accounts.models import User
from shared.accounts.services import (
    password_reset_temporary,
    password_temporary,
    user_create,
    user_set_active,
)
from zhdj.errors import AccessDenied, ApplicationError


def may_manage_accounts(actor: User) -> bool:
    """May ``actor`` open the city's account pages at all?"""
    return actor.is_active and (actor.is_ops or (actor.is_city and actor.manages_accounts))


def manageable_roles(actor: User) -> tuple[str, ...]:
    if actor.is_ops:  # the platform's system administrator creates the other two 三员 too
        return (User.Role.CITY, User.Role.OPS, User.Role.SECURITY_ADMIN, User.Role.AUDITOR)
    if actor.is_city and actor.manages_accounts:
        return (User.Role.CITY,)
    return ()


def _require(actor: User, *, role: str, target: User | None = None) -> None:
    if connection.schema_name != "public":
        raise AccessDenied("市级账号只能在市级平台管理。")
    if not may_manage_accounts(actor) or role not in manageable_roles(actor):
        raise AccessDenied("您没有管理该类账号的权限。")
    if target is not None and target.pk == actor.pk:
        raise ApplicationError("不能在此停用或重置自己的账号；修改自己的密码请使用“修改密码”。")


def public_users(actor: User):  # type: ignore[no-untyped-def]
    """The accounts ``actor`` may manage, city first, then by login name."""
    return User.objects.filter(role__in=manageable_roles(actor)).order_by("role", "username")


@dataclass(frozen=True)
class Created:
    user: User
    password: str  # the initial password in clear, to be shown once


@transaction.atomic
def public_user_create(
    *,
    actor: User,
    username: str,
    full_name: str,
    role: str,
    manages_accounts: bool = False,
    password: str = "",
) -> Created:
    """A new city or ops account. Without ``password`` a random one is made. Either way
    it is an initial password: the user must change it at the first login."""
    _require(actor, role=role)
    if manages_accounts and not actor.is_ops:
        raise AccessDenied("只有运维人员可以指定账号管理员。")
    if manages_accounts and role != User.Role.CITY:
        raise ApplicationError("只有市委组织部账号可以是账号管理员。", field="manages_accounts")
    password = password or password_temporary()
    user = user_create(
        username=username.strip(),
        full_name=full_name.strip(),
        password=password,
        role=role,
        must_change_password=True,
        manages_accounts=manages_accounts,
    )
    record(
        Kind.ACCOUNT,
        user=actor,
        target=str(user),
        detail=f"新建账号（{User.Role(role).label}）"
        + ("，账号管理员" if user.manages_accounts else ""),
    )
    return Created(user, password)


@transaction.atomic
def public_user_reset(*, actor: User, user: User) -> str:
    """A temporary password for ``user`` (shown once), to be changed at the next login."""
    _require(actor, role=user.role, target=user)
    record(Kind.ACCOUNT, user=actor, target=str(user), detail="重置密码")
    return password_reset_temporary(user=user)


@transaction.atomic
def public_user_set_active(*, actor: User, user: User, active: bool) -> User:
    _require(actor, role=user.role, target=user)
    record(Kind.ACCOUNT, user=actor, target=str(user), detail="启用账号" if active else "停用账号")
    return user_set_active(user=user, active=active)
