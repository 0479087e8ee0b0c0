"""Error pages through Django's ASGI handler, as daphne serves them.

Under ASGI the exception's response is rendered in another thread than the view (see
zhdj.web.errors); a 403 page for a member on an administrator's page was a 500 there
(``relation "members_member" does not exist``) while the WSGI test client saw a 403.
"""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync

from tests.support import otp
from tests.support.asgi import HostAsyncClient
from tests.support.world import ALPHA, BETA, CITY_HOST, PASSWORD


def _asgi_get(host: str, username: str | None, paths: list[str]) -> list[tuple[int, str]]:
    async def run() -> list[tuple[int, str]]:
        client = HostAsyncClient(host)
        if username:
            login = await client.post(
                "/accounts/login/", {"username": username, "password": PASSWORD}
            )
            assert login.status_code == 302
            if login["Location"] == otp.VERIFY_PATH:  # 动态口令 (tests/support/otp.py)
                code = otp.code_for(host, username)
                await client.post(otp.VERIFY_PATH, {"code": code})
        out = []
        for path in paths:
            response = await client.get(path)
            out.append((response.status_code, response.content.decode()))
        return out

    return async_to_sync(run)()


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("county", [ALPHA, BETA], ids=["alpha", "beta"])
def test_a_member_on_administrators_pages_gets_the_county_403_page(county):
    pages = _asgi_get(county.host, "member", ["/rules/", "/audit/", "/notifications/compose/"])
    for status, body in pages:
        assert status == 403
        assert "无权访问" in body
        assert f"{county.name}委组织部" in body  # the county's own frame, its navigation
        assert county.name + "党员" in body  # the signed-in user, read from the county schema


@pytest.mark.django_db(transaction=False)
def test_missing_pages_are_the_sites_404_page_on_county_and_city():
    [(status, body)] = _asgi_get(ALPHA.host, "admin", ["/members/999999999/"])
    assert status == 404
    assert "页面不存在" in body and "榆阳区委组织部" in body
    [(status, body)] = _asgi_get(CITY_HOST, "city", ["/no-such-page/"])
    assert status == 404
    assert "页面不存在" in body


@pytest.mark.django_db(transaction=False)
def test_a_stale_form_gets_a_chinese_csrf_page():
    async def run() -> tuple[int, str]:
        client = HostAsyncClient(ALPHA.host, enforce_csrf_checks=True)
        response = await client.post("/accounts/login/", {"username": "x", "password": "y"})
        return response.status_code, response.content.decode()

    status, body = async_to_sync(run)()
    assert status == 403
    assert "页面已过期" in body
    assert "verification failed" not in body  # Django's English page


@pytest.mark.django_db(transaction=False)
def test_an_action_address_opened_in_the_browser_gets_a_chinese_405_page():
    [(status, body)] = _asgi_get(ALPHA.host, "member", ["/notifications/read-all/"])
    assert status == 405
    assert "请从页面上办理" in body and "榆阳区委组织部" in body
