from __future__ import annotations

import pytest
import redis
from django.conf import settings

from tests.conftest import host_client
from tests.support.world import CITY_HOST
from zhdj.tasks import HEARTBEAT_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def heartbeat():  # type: ignore[no-untyped-def]
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.set(HEARTBEAT_KEY, "0", ex=60)
    import time

    client.set(HEARTBEAT_KEY, time.time(), ex=60)
    yield client
    client.delete(HEARTBEAT_KEY)
    client.close()


def test_readyz_and_healthz_on_every_host_report_database_and_redis_only(heartbeat, alpha, beta):
    for host in (CITY_HOST, alpha.host, beta.host):
        for path in ("/readyz", "/healthz"):
            response = host_client(host).get(path)
            assert response.status_code == 200
            body = response.json()
            assert set(body["checks"]) == {"database", "redis"}
            assert all(check["ok"] for check in body["checks"].values())
            assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_ignores_a_silent_celery(alpha):
    """Busy workers or a stopped beat must not take web pods out of service."""
    with redis.Redis.from_url(settings.REDIS_URL) as client:
        client.delete(HEARTBEAT_KEY)
    for path in ("/readyz", "/healthz"):
        response = host_client(alpha.host).get(path)
        assert response.status_code == 200
        assert "celery" not in response.json()["checks"]


def test_readyz_is_503_when_redis_is_unreachable(alpha, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = host_client(alpha.host).get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


def test_livez_asks_no_dependency(alpha, settings, django_assert_num_queries):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    for host in (CITY_HOST, "localhost"):
        with django_assert_num_queries(0):
            response = host_client(host).get("/livez")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}


def test_ops_health_page_still_shows_the_celery_heartbeat(ops_client):
    with redis.Redis.from_url(settings.REDIS_URL) as client:
        client.delete(HEARTBEAT_KEY)
    page = ops_client.get("/ops/health/").content.decode()
    assert "后台任务" in page and "未收到心跳" in page


def test_ops_health_page_is_for_ops_only(ops_client, city_client, heartbeat):
    assert ops_client.get("/ops/health/").status_code == 200
    assert "系统健康" in ops_client.get("/ops/health/").content.decode()
    assert city_client.get("/ops/health/").status_code == 403


def test_ops_health_page_reads_in_chinese(ops_client, heartbeat):
    page = ops_client.get("/ops/health/").content.decode()
    body = page.split("<main", 1)[-1]
    assert "数据库" in body and "缓存与消息队列" in body and "后台任务" in body
    assert "连接正常" in body and "秒前收到心跳" in body
    for english in (">database<", ">redis<", ">celery<", ">ok<", "heartbeat"):
        assert english not in body
