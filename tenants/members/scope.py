"""Organization scope (数据范围): what a user may act on.

A county administrator acts on the whole county. Anyone else acts on the subtrees of
the organizations where they hold an active post, and sees their own member record.
Every list and object fetch of county data goes through a ``Scope``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from shared.accounts.models import User
from tenants.members.models import Member, Post
from tenants.orgs.models import Organization

# Posts whose holders may see full personal values (after re-entering the password).
PII_POSTS = frozenset({"secretary", "deputy_secretary", "organization"})


@dataclass(frozen=True)
class Scope:
    user_id: int
    is_admin: bool
    org_paths: tuple[str, ...]  # roots of the subtrees the user acts on
    member_id: int | None  # the user's own member record
    pii_paths: tuple[str, ...]  # subtrees where the user may reveal full personal values

    @property
    def manages_orgs(self) -> bool:
        return self.is_admin or bool(self.org_paths)

    @property
    def reveals_any(self) -> bool:
        """Whether some full personal values are open to the user (after the password)."""
        return self.is_admin or bool(self.pii_paths)

    def _path_q(self, paths: tuple[str, ...], prefix: str) -> Q:
        if not paths:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{prefix}path__startswith": p}) for p in paths))

    def organizations(self) -> QuerySet[Organization]:
        qs = Organization.objects.filter(is_active=True)
        return qs if self.is_admin else qs.filter(self._path_q(self.org_paths, ""))

    def members(self) -> QuerySet[Member]:
        if self.is_admin:
            return Member.objects.all()
        # By organization id (a subquery over the small organization table), not a path
        # join over every member.
        q = Q(org_id__in=self.organizations().values("id"))
        if self.member_id is not None:
            q |= Q(pk=self.member_id)
        return Member.objects.filter(q)

    def covers_org(self, org: Organization) -> bool:
        return self.is_admin or any(org.path.startswith(p) for p in self.org_paths)

    def manages_member(self, member: Member) -> bool:
        return self.covers_org(member.org)

    def may_reveal(self, member: Member) -> bool:
        return self.is_admin or any(member.org.path.startswith(p) for p in self.pii_paths)


def _minimal(paths: set[str]) -> tuple[str, ...]:
    """Drop paths inside other paths (a subtree already covered)."""
    ordered = sorted(paths, key=len)
    kept: list[str] = []
    for path in ordered:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


def scope_for(user: User) -> Scope:
    member_id = _member_id_of(user)
    if user.is_county_admin:
        return Scope(user.pk, True, (), member_id, ())
    posts = (
        Post.objects.filter(
            member_id=member_id, ended_at__isnull=True, org__is_active=True
        ).values_list("org__path", "post_code")
        if member_id is not None
        else []
    )
    org_paths = {path for path, _ in posts}
    pii_paths = {path for path, code in posts if code in PII_POSTS}
    return Scope(user.pk, False, _minimal(org_paths), member_id, _minimal(pii_paths))


def _member_id_of(user: User) -> int | None:
    # Only the id: loading the record would decrypt its personal values on every request.
    return Member.objects.filter(user=user).values_list("pk", flat=True).first()


def request_scope(request: HttpRequest) -> Scope:
    """The scope of the request's user, computed once per request."""
    scope = getattr(request, "_zhdj_scope", None)
    if scope is None:
        scope = scope_for(request.user)
        request._zhdj_scope = scope  # type: ignore[attr-defined]
    return scope
