"""Websocket tenancy: resolve the tenant from the Host header at the handshake.

Channels has no upstream django-tenants support (django-tenants #767, #931); this
follows authentik's pattern. The scope gets ``tenant`` and ``user``; every database
call of a consumer must go through :func:`tenant_db`, which enters the tenant's
schema inside the thread-pool worker (``tenant_context`` does not follow into it
on its own).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from http.cookies import SimpleCookie
from importlib import import_module
from types import SimpleNamespace
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from shared.accounts import otp
from shared.customers.models import Tenant
from shared.customers.routing import resolver

T = TypeVar("T")


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def _resolve_tenant(host: str) -> Tenant | None:
    route = resolver.resolve(host)
    if route is None or route.is_public or route.tenant.status != Tenant.Status.ACTIVE:
        return None
    return route.tenant


def _is_public_host(host: str) -> bool:
    route = resolver.resolve(host)
    return route is not None and route.is_public


def _load_public_user(session_key: str | None):  # type: ignore[no-untyped-def]
    """A city or ops user of the public site (its own sessions, in the public schema)."""
    if not session_key:
        return AnonymousUser()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with schema_context(get_public_schema_name()):
        request = SimpleNamespace(session=store(session_key))
        return _passed(get_user(request), request.session)


def _load_user(tenant: Tenant, session_key: str | None):  # type: ignore[no-untyped-def]
    if not session_key:
        return AnonymousUser()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with tenant_context(tenant):
        request = SimpleNamespace(session=store(session_key))
        return _passed(get_user(request), request.session)


def _passed(user, session):  # type: ignore[no-untyped-def]
    """A session that has not passed 动态口令 yet is nobody here, as on every page."""
    return user if otp.session_passed(user, session) else AnonymousUser()


class TenantWebsocketMiddleware:
    """Rejects handshakes for unknown or inactive hosts; sets scope tenant and user."""

    def __init__(self, inner: Callable[..., Awaitable[None]]) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            return await self.inner(scope, receive, send)
        host = _header(scope, b"host").split(":", 1)[0].lower().rstrip(".")
        cookies = SimpleCookie()
        cookies.load(_header(scope, b"cookie"))
        morsel = cookies.get(settings.SESSION_COOKIE_NAME)
        # Paths the city site may open too (the dashboard): on the public host the scope
        # has tenant None and the public user; those consumers check both.
        if scope.get("path", "").startswith(
            settings.ZHDJ_PUBLIC_WEBSOCKET_PATHS
        ) and await database_sync_to_async(_is_public_host)(host):
            user = await database_sync_to_async(_load_public_user)(morsel.value if morsel else None)
            scope = dict(scope, tenant=None, user=user)
            return await self.inner(scope, receive, send)
        tenant = await database_sync_to_async(_resolve_tenant)(host)
        if tenant is None:
            await send({"type": "websocket.close", "code": 4404})
            return None
        user = await database_sync_to_async(_load_user)(tenant, morsel.value if morsel else None)
        scope = dict(scope, tenant=tenant, user=user)
        return await self.inner(scope, receive, send)


def tenant_db(func: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """Run a consumer's sync database function inside the scope's tenant schema.

    Decorate a consumer *method*; it is called with ``self`` whose ``scope`` holds
    the tenant.
    """

    @wraps(func)
    def in_tenant(self: Any, *args: Any, **kwargs: Any) -> T:
        with tenant_context(self.scope["tenant"]):
            return func(self, *args, **kwargs)

    return database_sync_to_async(in_tenant)
