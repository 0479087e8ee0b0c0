"""The production serving shape, for real (what ``make demo`` runs and bench/serving.py
measures): nginx with the production site on loopback (deploy/local/nginx_conf.py) in front
of gunicorn with deploy/gunicorn.conf.py for the pages and daphne for ``/ws/``, on the test
database. A member logs in through nginx, a page answers from gunicorn, a websocket of the
same session opens through nginx to daphne and gets a notification pushed."""

from __future__ import annotations

import asyncio
import http.client
import json
import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from django.contrib.sessions.models import Session
from django_tenants.utils import schema_context
from websockets.asyncio.client import connect

from bench.stack import Stack
from shared.accounts.models import UserSession
from tests.support.live import http_login, http_request, process_env
from tests.support.threads import in_thread, run_async
from tests.support.world import PASSWORD

pytestmark = pytest.mark.live

ENV_KEYS = ("DATABASE_URL", "REDIS_URL", "PYTHONUNBUFFERED")


@pytest.fixture(scope="module")
def stack(django_db_setup, tmp_path_factory) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in process_env().items() if k in ENV_KEYS}
    metrics = str(tmp_path_factory.mktemp("prometheus"))
    running = Stack(
        "zhdj.settings.test", WEB_CONCURRENCY="2", PROMETHEUS_MULTIPROC_DIR=metrics, **env
    )
    try:
        running.wait_ready("alpha.localhost")
        yield running
    finally:
        running.stop()


def test_a_member_uses_pages_and_a_websocket_through_nginx(stack, committed, alpha):
    from tenants.notifications.services import notification_send

    cookies = http_login(stack.port, alpha.host, "member", PASSWORD)
    try:
        status, headers, body = http_request(stack.port, alpha.host, "GET", "/")
        assert status in (200, 302)
        status, headers, body = http_request(
            stack.port, alpha.host, "GET", "/notifications/", cookies=cookies
        )
        assert status == 200 and "消息" in body
        assert headers.get("server", "").startswith("nginx")

        async def push_arrives() -> str:
            ws = await connect(
                f"ws://{alpha.host}:{stack.port}/ws/notifications/",
                additional_headers={
                    "Origin": f"http://{alpha.host}:{stack.port}",
                    "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                },
                host="127.0.0.1",
                port=stack.port,
            )
            async with ws:
                await asyncio.sleep(0.5)  # subscribed
                await asyncio.to_thread(in_thread, _notify)
                async with asyncio.timeout(10):
                    while True:  # the state on connecting first, then the push
                        text = json.dumps(json.loads(await ws.recv()), ensure_ascii=False)
                        if "经由前置代理推送" in text:
                            return text

        def _notify() -> None:
            with schema_context(alpha.schema):
                from shared.accounts.models import User

                notification_send(
                    recipients=[User.objects.get(username="member")],
                    title="经由前置代理推送",
                    sender=None,
                )

        assert "经由前置代理推送" in run_async(push_arrives)
    finally:
        from tenants.notifications.models import Notification

        with schema_context(alpha.schema):
            Session.objects.filter(session_key=cookies.get("zhdj_session")).delete()
            UserSession.objects.filter(user__username="member").delete()
            # Committed: the page sweep reads the same member's pages later.
            Notification.objects.filter(title="经由前置代理推送").delete()


def test_a_browser_form_with_the_port_in_host_and_origin_is_accepted(stack, committed, alpha):
    """A browser on http://alpha.localhost:8000 sends that host and origin: nginx passes the
    port on, so Django's CSRF origin check accepts the login form (a 403 otherwise)."""
    site = f"{alpha.host}:{stack.port}"

    def send(method: str, path: str, headers: dict[str, str], body: str = ""):  # type: ignore[no-untyped-def]
        conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=10)
        conn.request(method, path, body=body or None, headers={"Host": site, **headers})
        answer = conn.getresponse()
        answer.read()
        conn.close()
        return answer

    page = send("GET", "/accounts/login/", {})
    token = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "").group(1)
    form = urlencode({"username": "member", "password": PASSWORD, "csrfmiddlewaretoken": token})
    answer = send(
        "POST",
        "/accounts/login/",
        {
            "Origin": f"http://{site}",
            "Cookie": f"csrftoken={token}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        form,
    )
    assert answer.status == 302, answer.status
    session = re.search(r"zhdj_session=([^;]+)", answer.getheader("Set-Cookie") or "").group(1)
    with schema_context(alpha.schema):
        Session.objects.filter(session_key=session).delete()
        UserSession.objects.filter(user__username="member").delete()


def test_nginx_answers_for_the_static_files_and_not_the_application(stack, alpha):
    status, headers, _ = http_request(stack.port, alpha.host, "GET", "/static/css/app.css")
    # The bench stack's static folder is empty: nginx's own 404, never a page of the app.
    assert status == 404 and headers.get("server", "").startswith("nginx")


def test_the_metrics_of_all_workers_are_scraped_from_the_server_not_through_nginx(stack, alpha):
    for _ in range(12):  # spread over both gunicorn workers
        assert http_request(stack.port, alpha.host, "GET", "/accounts/login/")[0] == 200
    status, _, text = http_request(stack.app_port, "10.0.0.1", "GET", "/metrics")
    assert status == 200
    total = sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("zhdj_http_requests_total{")
        and 'view="accounts:login"' in line
        and f'tenant="{alpha.schema}"' in line
    )
    assert total >= 12, text
    assert http_request(stack.port, alpha.host, "GET", "/metrics")[0] == 404  # nginx
