from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared.customers.models import Tenant
from shared.customers.routing import resolver
from shared.customers.services import tenant_resume, tenant_suspend
from tests.conftest import host_client
from tests.support.world import CITY_HOST

pytestmark = pytest.mark.django_db


def test_unknown_host_gets_a_chinese_404_page():
    response = host_client("nowhere.localhost").get("/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "站点不存在" in text
    assert "nowhere.localhost" in text


def test_public_site_and_county_site_route_to_their_schemas(alpha):
    response = host_client(CITY_HOST).get("/healthz")
    assert response.json()["schema"] == "public"
    response = host_client(alpha.host).get("/healthz")
    assert response.json()["schema"] == alpha.schema


def test_suspended_county_shows_a_suspended_page_not_data(
    alpha, alpha_admin, django_capture_on_commit_callbacks
):
    tenant = Tenant.objects.get(schema_name=alpha.schema)
    assert alpha_admin.get("/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        tenant_suspend(tenant=tenant, reason="数据核查")
    response = alpha_admin.get("/")
    assert response.status_code == 503
    text = response.content.decode()
    assert "已暂停" in text and "数据核查" in text
    assert "党组织" not in text
    assert alpha_admin.get("/api/orgs/").status_code == 503
    # Health checks still answer, so operators can see the host is up.
    assert alpha_admin.get("/healthz").status_code in (200, 503)
    assert "schema" in alpha_admin.get("/healthz").json()
    with django_capture_on_commit_callbacks(execute=True):
        tenant_resume(tenant=Tenant.objects.get(pk=tenant.pk))
    assert alpha_admin.get("/").status_code == 200


def test_route_map_is_invalidated_by_domain_changes(alpha, django_capture_on_commit_callbacks):
    route = resolver.resolve(alpha.host)
    assert route is not None and route.tenant.schema_name == alpha.schema
    tenant = Tenant.objects.get(schema_name=alpha.schema)
    with django_capture_on_commit_callbacks(execute=True):
        domain = tenant.domains.get()
        domain.domain = "renamed.localhost"
        domain.save()
    assert resolver.resolve(alpha.host) is None
    assert resolver.resolve("renamed.localhost").tenant.schema_name == alpha.schema


def _set_statements(queries):  # type: ignore[no-untyped-def]
    return [q["sql"] for q in queries if q["sql"].upper().startswith("SET SEARCH_PATH")]


def test_repeat_requests_on_one_schema_issue_no_set_and_a_switch_issues_one(alpha, beta):
    client_a, client_b = host_client(alpha.host), host_client(beta.host)
    client_a.get("/accounts/login/")
    connection.ensure_connection()
    with CaptureQueriesContext(connection) as first:
        client_a.get("/api/orgs/")
    with CaptureQueriesContext(connection) as again:
        client_a.get("/api/orgs/")
    with CaptureQueriesContext(connection) as switched:
        client_b.get("/api/orgs/")
    assert len(_set_statements(first.captured_queries)) <= 1
    assert _set_statements(again.captured_queries) == []
    assert len(_set_statements(switched.captured_queries)) == 1
    # No Domain lookup once the host map is warm.
    assert not any("customers_domain" in q["sql"] for q in again.captured_queries)


def _wait(predicate, seconds: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_an_invalidation_published_by_another_process_empties_the_map(alpha):
    import redis
    from django.conf import settings

    from shared.customers.routing import channel

    resolver.resolve(alpha.host)
    assert _wait(lambda: resolver._live), "the listener subscribes"
    resolver.resolve(alpha.host)
    assert alpha.host in resolver._routes
    with redis.Redis.from_url(settings.REDIS_URL) as client:
        client.publish(channel(), b"1")  # as another process would
    assert _wait(lambda: alpha.host not in resolver._routes)


def test_without_the_listener_the_generation_counter_guards_the_map(alpha, monkeypatch):
    import redis
    from django.conf import settings

    from shared.customers.routing import GENERATION_KEY

    resolver.resolve(alpha.host)
    monkeypatch.setattr(resolver, "_live", False)
    resolver.resolve(alpha.host)
    assert alpha.host in resolver._routes
    with redis.Redis.from_url(settings.REDIS_URL) as client:
        client.incr(GENERATION_KEY)
    monkeypatch.setattr(resolver, "_live", False)
    before = resolver._epoch
    resolver.resolve(alpha.host)
    assert resolver._epoch > before  # the moved counter dropped the map before the lookup
