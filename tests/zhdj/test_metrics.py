"""Prometheus metrics (zhdj.metrics): requests by route and county, the scrape-time figures
(queue, heartbeat, rollup age), Celery task counts, and who may scrape."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import logged_in
from zhdj.metrics import METRICS_PATH

pytestmark = pytest.mark.django_db


def _scrape(**meta: str) -> tuple[int, str]:
    response = Client(**meta).get(METRICS_PATH)
    return response.status_code, response.content.decode()


def _value(text: str, name: str, default: float | None = None, **labels: str) -> float:
    """The sum of the samples of ``name`` with these labels (others may vary)."""
    values = [
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items())
    ]
    if not values and default is None:
        raise AssertionError(f"{name} {labels} not in the scrape")
    return sum(values) if values else float(default or 0)


def test_requests_are_counted_by_route_and_county(alpha):
    client = logged_in(alpha.host, "admin")
    _, before = _scrape(REMOTE_ADDR="127.0.0.1")
    start = _value(
        before, "zhdj_http_requests_total", 0.0, view="members:list", tenant=alpha.schema
    )
    assert client.get("/members/").status_code == 200
    status, text = _scrape(REMOTE_ADDR="127.0.0.1")
    assert status == 200
    count = _value(text, "zhdj_http_requests_total", view="members:list", tenant=alpha.schema)
    assert count == start + 1
    assert (
        _value(
            text,
            "zhdj_http_request_duration_seconds_count",
            view="members:list",
            tenant=alpha.schema,
        )
        >= 1
    )


def test_only_a_private_address_that_did_not_come_through_the_proxy_may_scrape():
    assert _scrape(REMOTE_ADDR="10.1.2.3")[0] == 200  # the pod network
    assert _scrape(REMOTE_ADDR="203.0.113.9")[0] == 404  # the internet
    assert _scrape(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")[0] == 404
    assert _scrape(REMOTE_ADDR="not-an-address")[0] == 404


def test_the_scrape_reads_queue_heartbeat_and_each_countys_rollup_age(alpha):
    from shared.customers.models import Tenant
    from shared.rollups.models import TenantRollup

    now = timezone.now()
    TenantRollup.objects.update_or_create(
        tenant=Tenant.objects.get(schema_name=alpha.schema),
        defaults={
            "period": now.date(),
            "started_at": now - timedelta(minutes=10, seconds=3),
            "finished_at": now - timedelta(minutes=10),
            "seconds": 3.0,
        },
    )
    _, text = _scrape(REMOTE_ADDR="127.0.0.1")
    age = _value(text, "zhdj_rollup_age_seconds", tenant=alpha.schema)
    assert 600 <= age < 700
    assert re.search(r'^zhdj_celery_queue_length\{queue="celery"\} \d', text, re.M)


def test_celery_tasks_are_counted_with_their_state(alpha):
    from django_tenants.utils import schema_context

    from zhdj.tasks import current_schema

    with schema_context(alpha.schema):
        current_schema.apply()
    _, text = _scrape(REMOTE_ADDR="127.0.0.1")
    assert (
        _value(text, "zhdj_celery_tasks_total", task="zhdj.tasks.current_schema", state="SUCCESS")
        >= 1
    )
    assert (
        _value(text, "zhdj_celery_task_duration_seconds_count", task="zhdj.tasks.current_schema")
        >= 1
    )


def test_every_response_carries_a_request_id_and_keeps_a_well_formed_one(alpha):
    client = Client(HTTP_HOST=alpha.host)
    given = client.get("/accounts/login/", HTTP_X_REQUEST_ID="a1b2c3d4e5f60718")
    assert given["X-Request-ID"] == "a1b2c3d4e5f60718"
    forged = client.get("/accounts/login/", HTTP_X_REQUEST_ID="x\nINFO forged line")
    assert re.fullmatch(r"[0-9a-f]{32}", forged["X-Request-ID"])


def test_celery_has_its_own_probe(alpha, monkeypatch):
    import redis
    from django.conf import settings

    from zhdj.tasks import HEARTBEAT_KEY

    with redis.Redis.from_url(settings.REDIS_URL) as client:
        client.delete(HEARTBEAT_KEY)
        probe = Client(HTTP_HOST=alpha.host).get("/celeryz")
        assert probe.status_code == 503 and probe.json()["status"] == "down"
        client.set(HEARTBEAT_KEY, __import__("time").time(), ex=60)
    assert Client(HTTP_HOST=alpha.host).get("/celeryz").status_code == 200


def test_log_lines_name_the_county_and_the_request_in_json(alpha, caplog):
    import json
    import logging

    from django.conf import settings as django_settings
    from pythonjsonlogger.json import JsonFormatter

    from zhdj.observability import TenantLogFilter
    from zhdj.web.request_id import RequestIdMiddleware

    spec = dict(django_settings.LOGGING["formatters"]["json"])
    spec.pop("()")
    formatter = JsonFormatter(spec.pop("format"), **spec)
    lines: list[str] = []

    def view(request):  # type: ignore[no-untyped-def]
        from django.http import HttpResponse
        from django_tenants.utils import schema_context

        record = logging.LogRecord("zhdj.test", logging.INFO, __file__, 1, "办理完成", None, None)
        with schema_context(alpha.schema):
            TenantLogFilter().filter(record)
        lines.append(formatter.format(record))
        return HttpResponse("ok")

    from django.test import RequestFactory

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="req-0123456789")
    RequestIdMiddleware(view)(request)
    line = json.loads(lines[0])
    assert line["message"] == "办理完成" and line["level"] == "INFO"
    assert line["schema"] == alpha.schema and line["request_id"] == "req-0123456789"
