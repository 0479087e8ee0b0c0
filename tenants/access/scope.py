"""Organization scope (数据范围): what a user may see and do, and where.

A county administrator acts on the whole county. Anyone else acts on the subtrees of
the organizations where they hold an active post, with the permissions that post
carries there (``grants``: permission → subtree roots), and sees their own member
record. Pages and endpoints receive a ``Scope`` from the access glue
(``zhdj.web.access``, ``zhdj.api``); querysets filter by it (``visible_to``); services
check it (``require``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import check_password
from django.http import HttpRequest

from shared.accounts.models import User
from shared.accounts.roles import OFFICER_ROLES, Duty, duties_of
from tenants.access.grants import effective_grants, needs_password
from tenants.access.models import Post
from tenants.access.permissions import Perm
from zhdj.errors import AccessDenied, ApplicationError


@dataclass(frozen=True, eq=False)
class Scope:
    user_id: int | None
    is_admin: bool
    member_id: int | None  # the user's own member record
    grants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The duties of the user's role (三员分立, ``shared.accounts.roles``): who sets post
    # permissions, who reads the audit.
    duties: frozenset[str] = frozenset()

    @classmethod
    def system(cls) -> Scope:
        """Work the platform does itself (scheduled jobs, imports already authorized)."""
        return cls(None, True, None, duties=frozenset(Duty))

    def may(self, duty: str) -> bool:
        """The user's role carries ``duty`` (``shared.accounts.roles.DUTIES``)."""
        return duty in self.duties

    def require_duty(self, duty: str, *, message: str = "") -> None:
        if not self.may(duty):
            raise AccessDenied(message or "您没有办理此事项的权限。")

    def paths(self, permission: str) -> tuple[str, ...]:
        return self.grants.get(permission, ())

    @property
    def org_paths(self) -> tuple[str, ...]:
        """Where the user sees organizations and members."""
        return self.paths(Perm.MEMBERS_VIEW)

    @property
    def manages_orgs(self) -> bool:
        return self.is_admin or bool(self.org_paths)

    def has(self, permission: str) -> bool:
        """The user holds ``permission`` somewhere (menus, page guards)."""
        return self.is_admin or bool(self.paths(permission))

    def can(self, permission: str, org: Any) -> bool:
        """The user holds ``permission`` over ``org`` (anything with a ``path``)."""
        return self.is_admin or any(org.path.startswith(p) for p in self.paths(permission))

    def require(
        self, permission: str, org: Any = None, *, password: str | None = None, message: str = ""
    ) -> None:
        """Refuse unless the user holds ``permission`` (over ``org`` when given); for a
        permission that needs the password again, check ``password`` too."""
        allowed = self.has(permission) if org is None else self.can(permission, org)
        if not allowed:
            raise AccessDenied(message or "您没有办理此事项的权限。")
        if self.user_id is not None and needs_password(permission):
            hashed = User.objects.filter(pk=self.user_id).values_list("password", flat=True)
            if not password or not check_password(password, hashed.first() or ""):
                raise ApplicationError("密码不正确，请重新输入登录密码。", field="password")

    # The visibility questions pages ask of one record.
    def covers_org(self, org: Any) -> bool:
        return self.can(Perm.MEMBERS_VIEW, org)

    def manages_member(self, member: Any) -> bool:
        return self.covers_org(member.org)

    @property
    def reveals_any(self) -> bool:
        return self.has(Perm.MEMBERS_REVEAL)

    def may_reveal(self, member: Any) -> bool:
        return self.can(Perm.MEMBERS_REVEAL, member.org)


def minimal(paths: set[str]) -> tuple[str, ...]:
    """Drop paths inside other paths (a subtree already covered)."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


def member_id_of(user: Any) -> int | None:
    # Only the id: loading the record would decrypt its personal values on every request.
    member_model = Post._meta.get_field("member").related_model
    return member_model.objects.filter(user=user).values_list("pk", flat=True).first()


def scope_for(user: User) -> Scope:
    duties = frozenset(duties_of(user.role))
    if user.role in OFFICER_ROLES:
        # 安全管理员, 审计管理员: no organization, no member data, whatever else they are.
        return Scope(user.pk, False, None, duties=duties)
    member_id = member_id_of(user)
    if user.is_county_admin:
        return Scope(user.pk, True, member_id, duties=duties)
    if member_id is None:
        return Scope(user.pk, False, None, duties=duties)
    posts = list(
        Post.objects.filter(
            member_id=member_id, ended_at__isnull=True, org__is_active=True
        ).values_list("org__path", "post_code")
    )
    if not posts:
        return Scope(user.pk, False, member_id, duties=duties)
    carries = effective_grants()
    by_permission: dict[str, set[str]] = {}
    for path, post_code in posts:
        for permission in carries.get(post_code, ()):
            by_permission.setdefault(permission, set()).add(path)
    grants = {permission: minimal(paths) for permission, paths in by_permission.items()}
    return Scope(user.pk, False, member_id, grants, duties)


def request_scope(request: HttpRequest) -> Scope:
    """The scope of the request's user, computed once per request (the access glue's
    resolver, ``ZHDJ_SCOPE_RESOLVER``; views receive it, they do not call this)."""
    scope = getattr(request, "_zhdj_scope", None)
    if scope is None:
        scope = scope_for(request.user)
        request._zhdj_scope = scope  # type: ignore[attr-defined]
    return scope
