"""Websockets end with their session (issue 17): closed at logout, when the session is
ended from another device, and when it expires (checked periodically), against a real
daphne and a websockets client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from shared.accounts.models import UserSession
from tests.support.live import http_login, http_request, start_daphne
from tests.support.threads import run_async
from tests.support.world import PASSWORD

pytestmark = pytest.mark.live


async def _open(port: int, host: str, cookies: dict[str, str], path: str):  # type: ignore[no-untyped-def]
    headers = {
        "Origin": f"http://{host}:{port}",
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
    }
    return await connect(
        f"ws://{host}:{port}{path}", additional_headers=headers, host="127.0.0.1", port=port
    )


async def _closed_code(ws, timeout: float) -> int | None:  # type: ignore[no-untyped-def]
    """The close code the server sends within ``timeout`` (pushes before it are read and
    dropped), or None when the socket is still open."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                await ws.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else -1
    except TimeoutError:
        return None


def _forget(schema: str, *cookie_sets: dict[str, str]) -> None:
    with schema_context(schema):
        for cookies in cookie_sets:
            key = cookies.get("zhdj_session")
            if key:
                Session.objects.filter(session_key=key).delete()
        UserSession.objects.all().delete()
    connection.set_schema_to_public()


@pytest.fixture
def cleanup(committed, alpha, beta) -> Iterator[list]:  # type: ignore[no-untyped-def]
    made: list[tuple[str, dict[str, str]]] = []
    yield made
    for schema, cookies in made:
        _forget(schema, cookies)


def test_logout_closes_the_sessions_websockets_and_no_other(live_server_port, alpha, cleanup):
    port = live_server_port
    leaving = http_login(port, alpha.host, "member", PASSWORD)
    staying = http_login(port, alpha.host, "member", PASSWORD)
    cleanup += [(alpha.schema, leaving), (alpha.schema, staying)]

    async def scenario() -> tuple[int | None, int | None]:
        gone = await _open(port, alpha.host, leaving, "/ws/notifications/")
        kept = await _open(port, alpha.host, staying, "/ws/notifications/")
        assert json.loads(await asyncio.wait_for(gone.recv(), 5))["type"] == "notifications"
        assert json.loads(await asyncio.wait_for(kept.recv(), 5))["type"] == "notifications"
        status, _, _ = await asyncio.to_thread(
            http_request,
            port,
            alpha.host,
            "POST",
            "/accounts/logout/",
            body={"csrfmiddlewaretoken": leaving["csrftoken"]},
            cookies=leaving,
        )
        assert status == 302
        codes = (await _closed_code(gone, 5), await _closed_code(kept, 1.5))
        await kept.close()
        return codes

    gone, kept = run_async(scenario)
    assert gone == 4401
    assert kept is None  # the user's other session keeps its socket


def test_ending_a_session_from_another_device_closes_its_websockets(
    live_server_port, beta, cleanup
):
    port = live_server_port
    phone = http_login(port, beta.host, "member", PASSWORD)
    desk = http_login(port, beta.host, "member", PASSWORD)
    cleanup += [(beta.schema, phone), (beta.schema, desk)]

    async def scenario() -> int | None:
        ws = await _open(port, beta.host, phone, "/ws/notifications/")
        await asyncio.wait_for(ws.recv(), 5)
        status, _, _ = await asyncio.to_thread(
            http_request,
            port,
            beta.host,
            "POST",
            "/accounts/sessions/end/",
            body={"session": "others", "csrfmiddlewaretoken": desk["csrftoken"]},
            cookies=desk,
        )
        assert status == 302
        return await _closed_code(ws, 5)

    assert run_async(scenario) == 4401


@pytest.fixture
def quick_daphne(django_db_setup, tmp_path, monkeypatch) -> Iterator[int]:  # type: ignore[no-untyped-def]
    """A daphne whose websockets check their session every second."""
    monkeypatch.setenv("ZHDJ_WS_SESSION_CHECK_SECONDS", "1")
    daphne, port = start_daphne(tmp_path / "daphne.log")
    yield port
    daphne.stop()


def test_an_expired_session_closes_its_websockets(quick_daphne, alpha, cleanup):
    port = quick_daphne
    member = http_login(port, alpha.host, "member", PASSWORD)
    admin = http_login(port, alpha.host, "admin", PASSWORD)
    cleanup += [(alpha.schema, member), (alpha.schema, admin)]

    def expire() -> None:
        try:
            with schema_context(alpha.schema):
                Session.objects.filter(
                    session_key__in=[member["zhdj_session"], admin["zhdj_session"]]
                ).update(expire_date=timezone.now() - timedelta(seconds=1))
        finally:
            connection.close()

    async def scenario() -> tuple[int | None, int | None, int | None]:
        bell = await _open(port, alpha.host, member, "/ws/notifications/")
        board = await _open(port, alpha.host, admin, "/ws/dashboard/")
        await asyncio.wait_for(bell.recv(), 5)
        hello = json.loads(await asyncio.wait_for(board.recv(), 5))
        assert hello["type"] == "hello"
        still_open = await _closed_code(bell, 2.5)  # checks pass while the session lives
        await asyncio.to_thread(expire)
        return still_open, await _closed_code(bell, 5), await _closed_code(board, 5)

    still_open, bell, board = run_async(scenario)
    assert still_open is None
    assert bell == 4401 and board == 4401
