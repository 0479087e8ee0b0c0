"""Redis stopped or unreachable (in-process): pages that need no Redis keep working, the
cache's callers fail soft with a log line, pages that need Redis answer a Chinese 503, and
nothing hangs (issue 17, Failure). With real processes: tests/zhdj/test_outage_live.py."""

from __future__ import annotations

import json
import time

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.test import Client

from tests.conftest import logged_in
from tests.support.world import CITY_HOST

pytestmark = pytest.mark.django_db

DEAD = "redis://127.0.0.1:1/0"  # nothing listens there: connection refused at once


@pytest.fixture
def redis_down(settings):  # type: ignore[no-untyped-def]
    caches = {k: dict(v) for k, v in django_settings.CACHES.items()}
    caches["default"]["LOCATION"] = DEAD
    settings.CACHES = caches
    settings.REDIS_URL = DEAD
    layers = {
        k: {**v, "CONFIG": {**v["CONFIG"], "hosts": [{"address": DEAD}]}}
        for k, v in django_settings.CHANNEL_LAYERS.items()
    }
    settings.CHANNEL_LAYERS = layers
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def _login(host: str, username: str) -> Client:
    return logged_in(host, username)  # the password, then 动态口令 where the role needs one


@pytest.mark.parametrize(
    ("host", "username", "paths"),
    [
        ("alpha.localhost", "admin", ["/", "/members/", "/notifications/", "/dues/"]),
        ("alpha.localhost", "member", ["/"]),
        (CITY_HOST, "city", ["/"]),
    ],
)
def test_login_home_and_lists_work_without_redis(redis_down, host, username, paths):
    started = time.monotonic()
    client = _login(host, username)
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    assert time.monotonic() - started < 20


def test_a_notification_is_saved_and_its_push_failure_only_logged(redis_down, alpha, caplog):
    from django_tenants.utils import schema_context

    from shared.accounts.models import User
    from tenants.notifications.models import Notification
    from tenants.notifications.services import notification_send

    with schema_context(alpha.schema):
        member = User.objects.get(username="member")
        before = Notification.objects.filter(recipient=member).count()
        from django.db import connection, transaction

        with transaction.atomic():
            notification_send(recipients=[member], title="停电通知", sender=None)
        # The test's transaction never commits: run the push the commit would run.
        for _, callback, _ in connection.run_on_commit[:]:
            callback()
        assert Notification.objects.filter(recipient=member).count() == before + 1
    assert any("notification push failed" in r.getMessage() for r in caplog.records)


def test_a_database_outage_in_a_view_is_a_chinese_503(alpha_admin, monkeypatch):
    from tenants.members import views

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views, "render", broken)
    response = alpha_admin.get("/members/")
    assert response.status_code == 503
    page = response.content.decode()
    assert "数据库暂时不可用，请稍后再试" in page
    assert response["Retry-After"]


def test_a_page_that_needs_redis_says_so_in_chinese(alpha, redis_down):  # type: ignore[no-untyped-def]
    """忘记密码 keeps its code in the cache: with Redis down, a real POST through the view
    (and OutageMiddleware in MIDDLEWARE) is a Chinese 503, not a 500."""
    client = Client(HTTP_HOST=alpha.host)
    response = client.post(
        "/accounts/password/forgot/", {"username": "member", "phone": "13900000003"}
    )
    assert response.status_code == 503
    assert "缓存与消息队列暂时不可用，请稍后再试" in response.content.decode()
    assert response["Retry-After"]


def test_a_redis_outage_in_an_api_view_is_chinese_json():
    import redis

    from zhdj.web.failure import OutageMiddleware

    response = OutageMiddleware(lambda r: None).process_exception(
        type("R", (), {"path": "/api/members/", "method": "GET"})(),
        redis.ConnectionError("refused"),
    )
    assert response.status_code == 503
    assert json.loads(response.content)["detail"] == "缓存与消息队列暂时不可用，请稍后再试。"
    assert "缓存与消息队列暂时不可用".encode() in response.content  # readable, not \u escapes
