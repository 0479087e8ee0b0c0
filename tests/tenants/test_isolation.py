"""Two counties, several roles: nothing crosses from one to the other."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.notifications.models import Notification
from tenants.notifications.services import notification_send
from tenants.orgs.models import Organization
from tests.conftest import host_client
from tests.support.world import CITY_HOST

pytestmark = pytest.mark.django_db


def _ids(schema: str) -> set[int]:
    with schema_context(schema):
        return set(Organization.objects.values_list("id", flat=True))


def test_an_id_that_exists_only_in_beta_is_a_404_from_alpha(alpha, beta, alpha_admin, beta_admin):
    only_beta = sorted(_ids(beta.schema) - _ids(alpha.schema))
    assert only_beta, "the world gives beta more organizations than alpha"
    org_id = only_beta[0]
    assert beta_admin.get(f"/api/orgs/{org_id}/").status_code == 200
    assert alpha_admin.get(f"/api/orgs/{org_id}/").status_code == 404


def test_notification_ids_of_beta_are_404_from_alpha(alpha, beta, alpha_admin):
    with schema_context(beta.schema):
        admin = User.objects.get(username="admin")
        for _ in range(5):
            notification_send(recipients=[admin], title="乙县通知", sender=admin)
        beta_ids = set(Notification.objects.values_list("id", flat=True))
    with schema_context(alpha.schema):
        alpha_ids = set(Notification.objects.values_list("id", flat=True))
    for nid in sorted(beta_ids - alpha_ids)[:2]:
        assert alpha_admin.get(f"/api/notifications/{nid}/").status_code == 404
        assert alpha_admin.post(f"/api/notifications/{nid}/read/").status_code == 404
        alpha_admin.post(f"/notifications/{nid}/read/")
    with schema_context(beta.schema):
        assert Notification.objects.filter(read_at__isnull=True).count() >= 5
    listed = alpha_admin.get("/api/notifications/").json()["results"]
    assert all(n["title"] != "乙县通知" for n in listed)


def test_lists_show_only_the_hosts_county(alpha, beta, alpha_admin):
    names = [o["name"] for o in alpha_admin.get("/api/orgs/").json()["results"]]
    assert any(alpha.name in n for n in names)
    assert not any(beta.name in n for n in names)
    page = alpha_admin.get("/orgs/").content.decode()
    assert alpha.name in page and beta.name not in page


def test_a_member_only_sees_their_own_notifications(alpha, alpha_member):
    with schema_context(alpha.schema):
        admin = User.objects.get(username="admin")
        notification_send(recipients=[admin], title="仅管理员可见", sender=admin)
    titles = [n["title"] for n in alpha_member.get("/api/notifications/").json()["results"]]
    assert "仅管理员可见" not in titles


def test_member_cannot_send_notices_but_admin_can(alpha_member, alpha_admin):
    assert alpha_member.get("/notifications/compose/").status_code == 403
    assert alpha_admin.get("/notifications/compose/").status_code == 200


def test_cache_entries_are_per_county(alpha, beta):
    with schema_context(alpha.schema):
        cache.set("greeting", "甲县", 30)
        assert cache.get("greeting") == "甲县"
    with schema_context(beta.schema):
        assert cache.get("greeting") is None
    assert cache.get("greeting") is None  # public


def test_public_site_shows_no_county_data(city_client, alpha):
    assert city_client.get("/api/orgs/").status_code == 404
    assert city_client.get("/orgs/").status_code == 404
    assert city_client.get("/notifications/").status_code == 404
    home = city_client.get("/").content.decode()
    assert "某村党支部" not in home  # county organizations never appear on the city site
    assert alpha.name in home  # the county's name and status do


def test_county_pages_are_not_served_on_the_city_host_even_to_ops(ops_client):
    assert ops_client.get("/orgs/").status_code == 404


def test_ops_pages_need_an_ops_user(city_client, ops_client):
    assert city_client.get("/ops/tenants/").status_code == 403
    assert ops_client.get("/ops/tenants/").status_code == 200
    assert host_client(CITY_HOST).get("/ops/tenants/").status_code == 302


def test_county_users_cannot_reach_ops_pages(alpha_admin):
    assert alpha_admin.get("/ops/tenants/").status_code == 404


def test_admin_site_hides_public_models_on_county_hosts(alpha):
    from django.contrib import admin

    from shared.customers.models import Tenant

    model_admin = admin.site._registry[Tenant]

    class FakeRequest:
        tenant = object()
        user = None

    assert model_admin.has_module_permission(FakeRequest()) is False
