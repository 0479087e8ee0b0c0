from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from shared.customers.models import Tenant
from shared.customers.services import tenant_suspend
from shared.rollups.models import Figure, OrgFigure, OrgUnit, TenantRollup
from shared.rollups.selectors import city_counties, subtree_values, totals
from shared.rollups.services import rollup_city, rollup_tenant
from tenants.orgs.models import Organization
from tests.shared.rollups.helpers import direct_figures, fill, onboard_gamma

pytestmark = pytest.mark.django_db

SCHEMAS = ("alpha", "beta", "gamma")


@pytest.fixture
def three_counties() -> None:
    onboard_gamma()
    fill("alpha", "610802", members=23, seed=1)
    fill("beta", "610803", members=17, seed=2)
    fill("gamma", "610828", members=11, seed=3)
    connection.set_schema_to_public()


def stored(schema: str) -> dict[tuple[str, str], int]:
    tenant = Tenant.objects.get(schema_name=schema)
    period = TenantRollup.objects.get(tenant=tenant).period
    return {
        (f.metric, f.dimension): f.value
        for f in Figure.objects.filter(tenant=tenant, period=period)
    }


def test_every_rolled_up_figure_matches_a_direct_count_in_each_schema(three_counties):
    results = rollup_city()
    assert sorted(r.schema for r in results if r.stored) == list(SCHEMAS)
    for schema in SCHEMAS:
        figures = stored(schema)
        expected = direct_figures(schema)
        assert expected[("members.total", "")] > 0
        for key, value in expected.items():
            assert figures.get(key, 0) == value, (schema, key)
    city = totals(city_counties())
    assert city["members.total"][""] == sum(
        direct_figures(s)[("members.total", "")] for s in SCHEMAS
    )


def test_per_organization_rows_add_up_to_the_county_figures(three_counties):
    rollup_city()
    for schema in SCHEMAS:
        tenant = Tenant.objects.get(schema_name=schema)
        root = OrgUnit.objects.filter(tenant=tenant).order_by("path").first()
        whole = subtree_values(tenant.pk, (root.path,))
        figures = stored(schema)
        for metric in ("members.total", "members.college", "orgs.total", "orgs.small_branches"):
            assert whole.get(metric, {}).get("", 0) == figures.get((metric, ""), 0), (
                schema,
                metric,
            )
        assert whole["members.by_sex"]["女"] == figures[("members.by_sex", "女")]


def test_a_repeated_rollup_counts_nothing_twice(three_counties):
    rollup_city()
    first = {s: stored(s) for s in SCHEMAS}
    rows = Figure.objects.count(), OrgFigure.objects.count(), OrgUnit.objects.count()
    rollup_city()
    assert {s: stored(s) for s in SCHEMAS} == first
    assert (Figure.objects.count(), OrgFigure.objects.count(), OrgUnit.objects.count()) == rows
    assert TenantRollup.objects.get(tenant__schema_name="alpha").runs == 2


def test_a_vanished_dimension_is_removed_not_left_stale(three_counties):
    rollup_city()
    assert stored("alpha")[("members.by_sex", "女")] > 0
    with schema_context("alpha"), connection.cursor() as cursor:
        cursor.execute("UPDATE members_member SET sex = 'male'")
    rollup_tenant(tenant=Tenant.objects.get(schema_name="alpha"))
    figures = stored("alpha")
    assert figures.get(("members.by_sex", "女"), 0) == 0
    assert not OrgFigure.objects.filter(
        tenant__schema_name="alpha", metric="members.by_sex", dimension="女"
    ).exists()


def test_organization_rows_are_left_alone_until_something_changes(three_counties):
    alpha = Tenant.objects.get(schema_name="alpha")
    rollup_city()
    digest = TenantRollup.objects.get(tenant=alpha).org_digest
    written = dict(OrgFigure.objects.filter(tenant=alpha).values_list("id", "computed_at"))
    with CaptureQueriesContext(connection) as queries:
        rollup_tenant(tenant=alpha)
    assert not [q for q in queries if "rollups_org" in q["sql"]]  # not even read
    assert TenantRollup.objects.get(tenant=alpha).org_digest == digest
    assert dict(OrgFigure.objects.filter(tenant=alpha).values_list("id", "computed_at")) == written
    with schema_context("alpha"):
        branch = Organization.objects.filter(type_code="branch").order_by("path").first()
        Organization.objects.filter(pk=branch.pk).update(name="改名后的党支部")
    rollup_tenant(tenant=alpha)
    assert TenantRollup.objects.get(tenant=alpha).org_digest != digest
    assert OrgUnit.objects.get(tenant=alpha, org_id=branch.pk).name == "改名后的党支部"


def test_suspended_and_provisioning_counties_are_left_out(three_counties):
    tenant_suspend(tenant=Tenant.objects.get(schema_name="gamma"), reason="测试暂停")
    Tenant.objects.filter(schema_name="beta").update(status=Tenant.Status.PROVISIONING)
    results = rollup_city()
    assert [r.schema for r in results] == ["alpha"]
    assert [c.schema for c in city_counties()] == ["alpha"]


def test_a_new_county_appears_after_its_first_rollup(three_counties):
    rollup_tenant(tenant=Tenant.objects.get(schema_name="alpha"))
    assert [c.schema for c in city_counties()] == ["alpha"]
    rollup_tenant(tenant=Tenant.objects.get(schema_name="gamma"))
    assert sorted(c.schema for c in city_counties()) == ["alpha", "gamma"]


def test_an_older_run_never_overwrites_a_newer_one(three_counties):
    from datetime import timedelta

    from django.utils import timezone

    from shared.rollups.collect import Collected
    from shared.rollups.store import store

    tenant = Tenant.objects.get(schema_name="alpha")
    rollup_tenant(tenant=tenant)
    before = stored("alpha")
    old = timezone.now() - timedelta(minutes=5)
    data = Collected(figures={("members.total", ""): 999})
    assert not store(
        tenant_id=tenant.pk, period=timezone.localdate(), started_at=old, finished_at=old,
        data=data,
    )  # fmt: skip
    assert stored("alpha") == before
