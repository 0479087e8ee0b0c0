from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from shared.accounts.models import User
from shared.cityorg.models import CityOrganization
from shared.customers.models import Domain, Tenant
from shared.customers.services import OnboardingRequest, tenant_onboard
from tenants.orgs.models import Organization
from tests.support.failing import InjectedFailure
from tests.support.world import ALPHA, PASSWORD
from zhdj.errors import ApplicationError

pytestmark = pytest.mark.django_db


def request(**overrides: str) -> OnboardingRequest:
    values = {
        "name": "佳县",
        "region_code": "610828",
        "schema_name": "jiaxian",
        "domain": "jiaxian.localhost",
        "admin_username": "jiaxian_admin",
        "admin_full_name": "佳县管理员",
        "admin_password": PASSWORD,
    }
    values.update(overrides)
    return OnboardingRequest(**values)


def footprint() -> tuple[int, int, int]:
    return Tenant.objects.count(), Domain.objects.count(), CityOrganization.objects.count()


def tables(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize("method", ["clone", "migrate"])
def test_onboarding_creates_schema_domain_root_and_admin(method):
    result = tenant_onboard(request(), method=method)
    tenant = result.tenant
    assert result.created and result.method == method
    assert tenant.status == Tenant.Status.ACTIVE and tenant.activated_at is not None
    assert schema_exists("jiaxian")
    assert tenant.domains.get().domain == "jiaxian.localhost"
    city_node = CityOrganization.objects.get(tenant=tenant)
    assert city_node.name == "中共佳县委员会"
    assert CityOrganization.objects.get_parent(city_node).kind == "city_committee"
    with schema_context("jiaxian"):
        root = Organization.objects.get_root_nodes().get()
        assert root.type_code == "county_committee" and root.city_org_id == city_node.pk
        admin = User.objects.get(username="jiaxian_admin")
        assert admin.role == User.Role.COUNTY_ADMIN and admin.check_password(PASSWORD)
    assert not User.objects.filter(username="jiaxian_admin").exists()  # not in public
    # The lifecycle trail names the opening (here: the command line, no request).
    from shared.customers.models import LifecycleEvent

    (event,) = LifecycleEvent.objects.filter(tenant=tenant, action="onboard")
    assert event.source == "command" and "jiaxian.localhost" in event.detail


def test_clone_and_migrate_produce_the_same_tables():
    tenant_onboard(request(), method="clone")
    tenant_onboard(
        request(name="吴堡县", region_code="610829", schema_name="wubao", domain="wubao.localhost"),
        method="migrate",
    )
    assert tables("jiaxian") == tables("wubao")
    assert "orgs_organization" in tables("jiaxian")


def test_rerun_with_the_same_parameters_changes_nothing():
    tenant_onboard(request())
    before = footprint()
    again = tenant_onboard(request(admin_password=""))
    assert not again.created and again.method == "existing"
    assert footprint() == before


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"schema_name": "Bad-Name"}, "schema_name", "小写字母"),
        ({"schema_name": "public"}, "schema_name", "保留"),
        ({"schema_name": "pg_evil"}, "schema_name", "保留"),
        ({"schema_name": "county_template"}, "schema_name", "模板"),
        ({"schema_name": ALPHA.schema}, "schema_name", "已被"),
        ({"name": ALPHA.name}, "name", "已被其他区县使用"),
        ({"name": ""}, "name", "请填写"),
        ({"region_code": "61082"}, "region_code", "6 位数字"),
        ({"region_code": "110101"}, "region_code", "不是本市"),
        ({"region_code": "610800"}, "region_code", "不是本市"),
        ({"region_code": "610899"}, "region_code", "不在本市区划代码表"),
        ({"region_code": ALPHA.region_code}, "region_code", "已开通"),
        ({"domain": ALPHA.host}, "domain", "已被使用"),
        ({"domain": "jiaxian.example.com"}, "domain", "子域名"),
        ({"domain": "bad_host!.localhost"}, "domain", "格式不正确"),
        ({"domain": "city.localhost"}, "domain", "市级站点"),
        ({"admin_password": "12345678"}, "admin_password", ""),
        ({"admin_password": "abcdefghijk"}, "admin_password", "3 类"),
        ({"admin_username": " "}, "admin_username", "请填写"),
        ({"admin_full_name": "管理员😀"}, "admin_full_name", "管理员姓名"),
        ({"admin_full_name": "张\u202e三"}, "admin_full_name", "控制字符"),
        ({"name": "佳县\x00"}, "name", "控制字符"),
    ],
)
def test_invalid_requests_are_refused_by_field_and_nothing_is_created(overrides, field, fragment):
    before = footprint()
    with pytest.raises(ApplicationError) as excinfo:
        tenant_onboard(request(**overrides))
    errors = excinfo.value.extra["errors"]
    assert field in errors
    assert any(fragment in message for message in errors[field])
    assert footprint() == before
    if overrides.get("schema_name", "jiaxian") == "jiaxian":
        assert not schema_exists("jiaxian")


def test_a_failure_midway_leaves_no_half_made_tenant(settings):
    settings.ZHDJ_TENANT_INITIALIZERS = [
        "tenants.orgs.services.org_create_county_root",
        "tests.support.failing.explode",
    ]
    before = footprint()
    with pytest.raises(InjectedFailure):
        tenant_onboard(request())
    assert footprint() == before
    assert not schema_exists("jiaxian")
    assert not Tenant.objects.filter(schema_name="jiaxian").exists()


def test_leftovers_of_a_crashed_run_are_cleaned_up_by_the_next_run():
    # A process killed mid-way leaves a PROVISIONING row and a partial schema.
    Tenant.objects.create(schema_name="jiaxian", name="佳县", region_code="610828")
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "jiaxian"')
        cursor.execute('CREATE TABLE "jiaxian".junk (id int)')
    result = tenant_onboard(request())
    assert result.created and result.tenant.status == Tenant.Status.ACTIVE
    assert "junk" not in tables("jiaxian")
    assert Tenant.objects.filter(schema_name="jiaxian").count() == 1


def test_provisioning_tenant_is_not_routable(client):
    Tenant.objects.create(schema_name="jiaxian", name="佳县", region_code="610828")
    response = client.get("/", HTTP_HOST="jiaxian.localhost")
    assert response.status_code == 404


def test_onboard_district_command_reports_success_and_errors(monkeypatch, capsys):
    monkeypatch.setenv("ZHDJ_ADMIN_PASSWORD", PASSWORD)
    args = [
        "onboard_district",
        "--name",
        "佳县",
        "--region-code",
        "610828",
        "--schema",
        "jiaxian",
        "--domain",
        "jiaxian.localhost",
        "--admin-username",
        "boss",
        "--admin-name",
        "佳县管理员",
    ]
    call_command(*args)
    assert "已开通 佳县" in capsys.readouterr().out
    call_command(*args)
    assert "此前已开通" in capsys.readouterr().out
    bad = [a if a != "610828" else "999999" for a in args]
    bad[bad.index("jiaxian")] = "other"
    with pytest.raises(CommandError, match="未创建任何数据") as excinfo:
        call_command(*bad)
    assert "region_code" in str(excinfo.value)
