"""Security events written by county services (权限变更, 账号变更): one call names the
acting user from the scope; the request being answered, if any, gives the address."""

from __future__ import annotations

from shared.accounts.events import Kind, record
from shared.accounts.models import User
from tenants.access.scope import Scope

__all__ = ["Kind", "scope_record"]


def scope_record(scope: Scope, kind: str, *, target: object = "", detail: str = "") -> None:
    """Write one event on behalf of ``scope``'s user (``系统`` for the platform's own jobs)."""
    user = User.objects.filter(pk=scope.user_id).first() if scope.user_id is not None else None
    if user is None:
        record(kind, username="系统", target=str(target), detail=detail)
    else:
        record(kind, user=user, target=str(target), detail=detail)
