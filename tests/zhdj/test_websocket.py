"""The notification bell's websocket, against a real daphne."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from shared.accounts.models import User
from tenants.notifications.services import notification_send
from tests.support.live import http_login
from tests.support.threads import run_async
from tests.support.world import PASSWORD

pytestmark = pytest.mark.live


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


async def _open(port: int, host: str, cookies: dict[str, str] | None):  # type: ignore[no-untyped-def]
    headers = {"Origin": f"http://{host}:{port}"}
    if cookies:
        headers["Cookie"] = _cookie_header(cookies)
    # The URI names the county host (sent as Host); the socket goes to loopback.
    return await connect(
        f"ws://{host}:{port}/ws/notifications/",
        additional_headers=headers,
        host="127.0.0.1",
        port=port,
    )


async def _next(ws, timeout: float = 5.0):  # type: ignore[no-untyped-def]
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


def _send(schema: str, username: str, title: str) -> None:
    """Runs in a worker thread (its own connection, closed after)."""
    try:
        with schema_context(schema):
            user = User.objects.get(username=username)
            notification_send(recipients=[user], title=title, sender=user)
    finally:
        connection.close()


def test_a_county_client_gets_its_own_pushes_and_never_another_countys(
    live_server_port, committed, alpha, beta
):
    port = live_server_port
    alpha_cookies = http_login(port, alpha.host, "admin", PASSWORD)
    with schema_context(alpha.schema):
        alpha_admin_id = User.objects.get(username="admin").pk
    with schema_context(beta.schema):
        # Same user id in both counties: group names must still keep them apart.
        assert User.objects.get(username="admin").pk == alpha_admin_id

    async def scenario() -> tuple[dict, list[dict], dict]:
        ws = await _open(port, alpha.host, alpha_cookies)
        first = await _next(ws)
        await asyncio.to_thread(_send, beta.schema, "admin", "乙县的通知")
        leaked = []
        with contextlib.suppress(TimeoutError):
            leaked.append(await _next(ws, timeout=2.0))
        await asyncio.to_thread(_send, alpha.schema, "admin", "甲县的通知")
        own = await _next(ws)
        await ws.close()
        return first, leaked, own

    first, leaked, own = run_async(scenario)
    assert first["schema"] == alpha.schema
    assert leaked == []
    assert own["unread"] == first["unread"] + 1
    assert own["latest"]["title"] == "甲县的通知"


def test_anonymous_and_unknown_host_websockets_are_refused(live_server_port, alpha):
    port = live_server_port

    async def refused(host: str) -> int:
        ws = await _open(port, host, None)
        try:
            await asyncio.wait_for(ws.recv(), 5)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else -1
        return 0

    async def refused_handshake(host: str) -> str:
        try:
            ws = await _open(port, host, None)
        except Exception as exc:
            return type(exc).__name__
        try:
            await asyncio.wait_for(ws.recv(), 5)
        except ConnectionClosed:
            return "closed"
        return "open"

    assert run_async(lambda: refused(alpha.host)) == 4401
    assert run_async(lambda: refused_handshake("nowhere.localhost")) != "open"


def test_an_idle_socket_stays_open_and_still_receives(live_server_port, committed, alpha):
    """The channel layer waits on Redis with a blocking pop of 5 s; redis-py 8's default
    client read timeout (also 5 s) used to lose that race on an idle socket and tear the
    consumer down (daphne: "Timeout reading from …", the browser saw code 1011)."""
    port = live_server_port
    cookies = http_login(port, alpha.host, "admin", PASSWORD)

    async def scenario() -> tuple[dict, dict]:
        ws = await _open(port, alpha.host, cookies)
        first = await _next(ws)
        await asyncio.sleep(12)  # idle past two blocking pops
        await asyncio.to_thread(_send, alpha.schema, "admin", "空闲之后的通知")
        later = await _next(ws)
        await ws.close()
        return first, later

    first, later = run_async(scenario)
    assert later["latest"]["title"] == "空闲之后的通知"
    assert later["unread"] == first["unread"] + 1
