"""Websockets bound to their session: closed at logout, when the session is ended from
another device or by an administrator, and when it expires or reaches its absolute cap.

A consumer mixes in ``SessionBoundConsumer`` and calls ``session_bind()`` after accepting
and ``session_unbind()`` in ``disconnect``. Bound, it belongs to the session's group
(``shared.accounts.sessions.session_group``): the ``session.ended`` message sent there at
logout or when the session is ended closes it at once. Beside that, every
``ZHDJ_WS_SESSION_CHECK_SECONDS`` it checks that the session still lives (an idle timeout
sends no message) and closes itself otherwise. Close code 4401: the page does not
reconnect, it reloads and so reaches the login page.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from http.cookies import SimpleCookie
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user
from django_tenants.utils import get_public_schema_name, schema_context

from shared.accounts.sessions import past_cap, session_group

log = logging.getLogger(__name__)
CLOSE_SIGNED_OUT = 4401


def session_key_of(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookies = SimpleCookie()
            cookies.load(value.decode("latin-1"))
            morsel = cookies.get(settings.SESSION_COOKIE_NAME)
            return morsel.value if morsel else None
    return None


def _schema(scope: dict[str, Any]) -> str:
    tenant = scope.get("tenant")
    return tenant.schema_name if tenant is not None else get_public_schema_name()


def session_alive(schema: str, session_key: str, user_id: Any) -> bool:
    """The session exists, is within its absolute cap and still signs in this user (not
    disabled, password unchanged)."""
    with schema_context(schema):
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        if past_cap(store, time.time()):
            return False
        user = get_user(SimpleNamespace(session=store))
        return bool(user.is_authenticated and user.pk == user_id)


class SessionBoundConsumer:
    """Mixin for the channels consumers of signed-in users (the bell, the dashboard)."""

    session_group_name: str | None = None
    _session_watch: asyncio.Task | None = None

    async def session_bind(self) -> None:
        scope = self.scope  # type: ignore[attr-defined]
        key = session_key_of(scope)
        user = scope.get("user")
        if not key or user is None or not user.is_authenticated:
            return
        self.session_group_name = session_group(_schema(scope), key)
        await self.channel_layer.group_add(self.session_group_name, self.channel_name)  # type: ignore[attr-defined]
        self._session_watch = asyncio.ensure_future(self._watch(key, user.pk))

    async def session_unbind(self) -> None:
        if self._session_watch is not None:
            self._session_watch.cancel()
            self._session_watch = None
        if self.session_group_name:
            with contextlib.suppress(Exception):
                await self.channel_layer.group_discard(  # type: ignore[attr-defined]
                    self.session_group_name,
                    self.channel_name,  # type: ignore[attr-defined]
                )
            self.session_group_name = None

    async def session_ended(self, event: dict[str, Any]) -> None:
        """The session's group was told: logout, or ended from elsewhere."""
        await self._close_signed_out()

    async def _close_signed_out(self) -> None:
        await self.close(code=CLOSE_SIGNED_OUT)  # type: ignore[attr-defined]

    async def _watch(self, key: str, user_id: Any) -> None:
        every = float(settings.ZHDJ_WS_SESSION_CHECK_SECONDS)
        schema = _schema(self.scope)  # type: ignore[attr-defined]
        check = database_sync_to_async(session_alive)
        while True:
            await asyncio.sleep(every)
            try:
                alive = await check(schema, key, user_id)
            except Exception:  # the database away for a moment: ask again next time
                log.warning("websocket session check failed", exc_info=True)
                continue
            if not alive:
                self._session_watch = None
                await self._close_signed_out()
                return
