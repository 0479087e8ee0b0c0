"""Which permissions each post carries in this county: the city default
(``shared.standards.PostGrant``) with the county's overrides applied."""

from __future__ import annotations

from shared.standards.models import Permission, PostGrant
from tenants.access.models import PostGrantOverride


def effective_grants() -> dict[str, frozenset[str]]:
    """post code → permission codes, in the current county schema (two small queries)."""
    carries = {post_code: set(codes) for post_code, codes in default_grants().items()}
    for post_code, permission, granted in PostGrantOverride.objects.values_list(
        "post_code", "permission", "granted"
    ):
        if granted:
            carries.setdefault(post_code, set()).add(permission)
        else:
            carries.get(post_code, set()).discard(permission)
    return {post_code: frozenset(codes) for post_code, codes in carries.items()}


def needs_password(permission: str) -> bool:
    return Permission.objects.filter(code=permission, needs_password=True).exists()


def default_grants() -> dict[str, frozenset[str]]:
    carries: dict[str, set[str]] = {}
    for post_code, permission in PostGrant.objects.values_list("post_code", "permission"):
        carries.setdefault(post_code, set()).add(permission)
    return {post_code: frozenset(codes) for post_code, codes in carries.items()}


def post_holders(org: object, permission: str) -> list[object]:
    """The active logins whose current post at ``org`` carries ``permission`` (who a
    reminder about that organization's work goes to)."""
    from shared.accounts.models import User

    posts = [code for code, perms in effective_grants().items() if permission in perms]
    return list(
        User.objects.filter(
            is_active=True,
            member__posts__org=org,
            member__posts__ended_at__isnull=True,
            member__posts__post_code__in=posts,
        ).distinct()
    )
