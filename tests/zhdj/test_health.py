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


def test_healthz_on_every_host_reports_database_redis_and_celery(heartbeat, alpha, beta):
    for host in (CITY_HOST, alpha.host, beta.host):
        response = host_client(host).get("/healthz")
        assert response.status_code == 200
        body = response.json()
        assert set(body["checks"]) == {"database", "redis", "celery"}
        assert all(check["ok"] for check in body["checks"].values())
        assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_503_when_celery_is_silent(alpha):
    redis.Redis.from_url(settings.REDIS_URL).delete(HEARTBEAT_KEY)
    response = host_client(alpha.host).get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["celery"]["ok"] is False


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
