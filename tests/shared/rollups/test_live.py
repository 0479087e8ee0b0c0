"""The dashboard websocket through the real ASGI application and the Redis channel layer."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections

from shared.rollups.live import push_landed
from tests.conftest import logged_in
from tests.support.threads import run_async
from tests.support.world import CITY_HOST

pytestmark = [pytest.mark.live]


def _cookie(client) -> str:  # type: ignore[no-untyped-def]
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def _connect(host: str, cookie: str) -> WebsocketCommunicator:
    from zhdj.asgi import application

    headers = [(b"host", host.encode()), (b"origin", f"http://{host}".encode())]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, "/ws/dashboard/", headers=headers)


def test_city_users_hear_every_county_and_counties_only_their_own(
    alpha, beta, django_db_setup, committed
):
    city = _cookie(logged_in(CITY_HOST, "city"))
    alpha_admin = _cookie(logged_in(alpha.host, "admin"))
    member = _cookie(logged_in(alpha.host, "member"))

    async def scenario() -> dict:
        out = {}
        c = await _connect(CITY_HOST, city)
        a = await _connect(alpha.host, alpha_admin)
        m = await _connect(alpha.host, member)
        anon = await _connect(CITY_HOST, "")
        assert (await c.connect())[0] and (await a.connect())[0]
        out["city_hello"] = await c.receive_json_from(timeout=5)
        out["alpha_hello"] = await a.receive_json_from(timeout=5)
        await m.connect()
        out["member_close"] = await m.receive_output(timeout=5)
        await anon.connect()
        out["anon_close"] = await anon.receive_output(timeout=5)
        await asyncio.to_thread(
            push_landed, schema=beta.schema, tenant_name="横山区", finished_at="t1"
        )
        out["city_beta"] = await c.receive_json_from(timeout=5)
        out["alpha_silent"] = await a.receive_nothing(timeout=1)
        await asyncio.to_thread(
            push_landed, schema=alpha.schema, tenant_name="榆阳区", finished_at="t2"
        )
        out["city_alpha"] = await c.receive_json_from(timeout=5)
        out["alpha_alpha"] = await a.receive_json_from(timeout=5)
        for comm in (c, a):
            await comm.disconnect()
        # The consumers' database thread keeps a connection: close it (test teardown
        # drops the database).
        await database_sync_to_async(connections.close_all)()
        return out

    out = run_async(scenario)
    assert out["city_hello"]["group"] == "public.rollups"
    assert out["alpha_hello"]["group"] == "alpha.rollups"
    assert out["member_close"]["code"] == 4403  # a plain member manages nothing
    assert out["anon_close"]["code"] == 4401
    assert out["city_beta"] == {"type": "rollup", "county": "横山区", "at": "t1"}
    assert out["alpha_silent"] is True  # beta's rollup never reaches alpha's dashboards
    assert out["city_alpha"]["county"] == "榆阳区" and out["alpha_alpha"]["at"] == "t2"


def test_a_city_run_tells_the_city_page_once_and_each_county_its_own(
    alpha, beta, django_db_setup, committed
):
    from shared.rollups.live import CITY_WIDE, Landed, push_landed_many

    city = _cookie(logged_in(CITY_HOST, "city"))
    alpha_admin = _cookie(logged_in(alpha.host, "admin"))

    async def scenario() -> dict:
        out = {}
        c = await _connect(CITY_HOST, city)
        a = await _connect(alpha.host, alpha_admin)
        assert (await c.connect())[0] and (await a.connect())[0]
        await c.receive_json_from(timeout=5)
        await a.receive_json_from(timeout=5)
        landed = [Landed(beta.schema, "横山区", "t1"), Landed(alpha.schema, "榆阳区", "t2")]
        await asyncio.to_thread(push_landed_many, landed)
        out["city"] = await c.receive_json_from(timeout=5)
        out["city_once"] = await c.receive_nothing(timeout=1)
        out["alpha"] = await a.receive_json_from(timeout=5)
        out["alpha_once"] = await a.receive_nothing(timeout=1)
        for comm in (c, a):
            await comm.disconnect()
        await database_sync_to_async(connections.close_all)()
        return out

    out = run_async(scenario)
    assert out["city"] == {"type": "rollup", "county": CITY_WIDE, "at": "t2"}
    assert out["city_once"] is True
    assert out["alpha"] == {"type": "rollup", "county": "榆阳区", "at": "t2"}
    assert out["alpha_once"] is True
