"""A county's lifecycle from the ops page and the command line (issue 18, item 3): domains
renamed, added, removed and made primary; suspension, resumption and offboarding; the
trail of every action that the city's auditor reads and nobody can change."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.utils import timezone
from django_tenants.utils import schema_exists

from shared.cityorg.models import CityOrganization
from shared.customers import archives
from shared.customers.lifecycle import (
    tenant_domain_add,
    tenant_domain_make_primary,
    tenant_domain_remove,
    tenant_domain_rename,
    tenant_offboard,
)
from shared.customers.models import Domain, LifecycleEvent, OnboardingJob, Tenant
from shared.customers.routing import resolver
from shared.customers.services import OnboardingRequest, tenant_onboard, tenant_suspend
from shared.customers.tasks import run_offboarding_job
from shared.customers.trail import Actor
from tests.conftest import logged_in
from tests.support.world import ALPHA, BETA, CITY_HOST, PASSWORD
from zhdj.errors import ApplicationError

pytestmark = pytest.mark.django_db

Action = LifecycleEvent.Action
OPS = Actor(username="ops", source=LifecycleEvent.Source.PAGE, ip="10.0.0.8", origin="/ops/")
FRESH = OnboardingRequest(
    name="佳县",
    region_code="610828",
    schema_name="jiaxian",
    domain="jiaxian.localhost",
    admin_username="admin",
    admin_full_name="佳县管理员",
    admin_password=PASSWORD,
)


def county(schema: str = ALPHA.schema) -> Tenant:
    return Tenant.objects.get(schema_name=schema)


def fresh(*, suspended: bool = True) -> Tenant:
    """A county of this test only (rolled back with it): alpha and beta are never dropped."""
    tenant = tenant_onboard(FRESH).tenant
    if suspended:
        tenant_suspend(tenant=tenant, reason="撤并", actor=OPS)
    return Tenant.objects.get(pk=tenant.pk)


def hosts(tenant: Tenant) -> dict[str, bool]:
    return dict(tenant.domains.values_list("domain", "is_primary"))


def changes():  # type: ignore[no-untyped-def]
    """The trail after the counties were opened (the world's and this test's own)."""
    return LifecycleEvent.objects.exclude(action=Action.ONBOARD)


def trail(action: str) -> list[LifecycleEvent]:
    return list(LifecycleEvent.objects.filter(action=action))


def _errors(html: str) -> dict[str, str]:
    found = re.findall(r'data-field="([\w-]+)">(.*?)</ul>', html, flags=re.S)
    return {field: re.sub(r"<[^>]+>", " ", body) for field, body in found}


# --- domains ---------------------------------------------------------------------------


def test_renaming_moves_the_primary_domain_and_the_old_host_stops_routing(
    django_capture_on_commit_callbacks,
):
    assert resolver.resolve(ALPHA.host).tenant.schema_name == ALPHA.schema
    with django_capture_on_commit_callbacks(execute=True):
        tenant_domain_rename(tenant=county(), domain=" Yuyang2.LOCALHOST ", actor=OPS)
    assert hosts(county()) == {"yuyang2.localhost": True}
    assert resolver.resolve(ALPHA.host) is None
    assert resolver.resolve("yuyang2.localhost").tenant.schema_name == ALPHA.schema
    (event,) = trail(Action.DOMAIN_RENAME)
    assert event.tenant_id == county().pk and event.tenant_name == ALPHA.name
    assert event.username == "ops" and event.ip == "10.0.0.8" and event.source == "page"
    assert ALPHA.host in event.detail and "yuyang2.localhost" in event.detail


def test_a_second_domain_routes_too_and_removing_it_stops_it(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tenant_domain_add(tenant=county(), domain="yuyang2.localhost", actor=OPS)
    assert hosts(county()) == {ALPHA.host: True, "yuyang2.localhost": False}
    assert resolver.resolve("yuyang2.localhost").tenant.schema_name == ALPHA.schema
    with django_capture_on_commit_callbacks(execute=True):
        tenant_domain_remove(tenant=county(), domain="yuyang2.localhost", actor=OPS)
    assert hosts(county()) == {ALPHA.host: True}
    assert resolver.resolve("yuyang2.localhost") is None
    assert [len(trail(Action.DOMAIN_ADD)), len(trail(Action.DOMAIN_REMOVE))] == [1, 1]


def test_making_another_domain_primary_keeps_the_old_one_as_a_second(
    django_capture_on_commit_callbacks,
):
    tenant_domain_add(tenant=county(), domain="yuyang2.localhost", actor=OPS)
    with django_capture_on_commit_callbacks(execute=True):
        tenant_domain_make_primary(tenant=county(), domain="yuyang2.localhost", actor=OPS)
    assert hosts(county()) == {ALPHA.host: False, "yuyang2.localhost": True}
    assert resolver.resolve(ALPHA.host).tenant.schema_name == ALPHA.schema
    assert "yuyang2.localhost" in trail(Action.DOMAIN_PRIMARY)[0].detail


@pytest.mark.parametrize(
    ("call", "host", "fragment"),
    [
        (tenant_domain_remove, ALPHA.host, "主域名不能删除"),
        (tenant_domain_remove, "nowhere.localhost", "没有域名"),
        (tenant_domain_make_primary, ALPHA.host, "已经是主域名"),
        (tenant_domain_add, BETA.host, "已被使用"),  # another county's
        (tenant_domain_add, ALPHA.host, "已被使用"),  # its own
        (tenant_domain_rename, BETA.host, "已被使用"),
        (tenant_domain_add, "bad_host!.localhost", "格式不正确"),
        (tenant_domain_add, "yuyang.example.com", "子域名"),
        (tenant_domain_add, CITY_HOST, "市级站点"),
        (tenant_domain_add, "localhost", "格式不正确"),
        (tenant_domain_rename, "", "请填写"),
        (tenant_domain_add, "a" * 64 + ".localhost", "格式不正确"),
    ],
)
def test_bad_domains_are_refused_in_chinese_and_nothing_changes(call, host, fragment):
    before = sorted(Domain.objects.values_list("domain", "tenant_id", "is_primary"))
    with pytest.raises(ApplicationError) as excinfo:
        call(tenant=county(), domain=host, actor=OPS)
    assert fragment in excinfo.value.message
    assert sorted(Domain.objects.values_list("domain", "tenant_id", "is_primary")) == before
    assert not changes().exists()


def test_the_template_and_an_offboarded_county_have_no_domains_to_change():
    template = Tenant.objects.get(status=Tenant.Status.TEMPLATE)
    with pytest.raises(ApplicationError, match="区县模板"):
        tenant_domain_add(tenant=template, domain="tpl.localhost", actor=OPS)
    gone = fresh()
    tenant_offboard(tenant=gone, confirm_name="佳县", backup_confirmed=True, actor=OPS)
    with pytest.raises(ApplicationError, match="已注销"):
        tenant_domain_add(tenant=gone, domain="jiaxian.localhost", actor=OPS)


# --- suspend / resume ----------------------------------------------------------------


def test_suspend_and_resume_from_the_page_are_in_the_trail_with_who_and_where(ops_client):
    tenant = county(BETA.schema)
    ops_client.post(f"/ops/tenants/{tenant.pk}/suspend/", {"reason": "数据核查"})
    ops_client.post(f"/ops/tenants/{tenant.pk}/resume/")
    suspended, resumed = trail(Action.SUSPEND), trail(Action.RESUME)
    assert len(suspended) == len(resumed) == 1
    assert suspended[0].username == "ops" and suspended[0].ip == "127.0.0.1"
    assert suspended[0].origin == f"/ops/tenants/{tenant.pk}/suspend/"
    assert "数据核查" in suspended[0].detail and "数据核查" in resumed[0].detail
    assert county(BETA.schema).status == Tenant.Status.ACTIVE


# --- offboarding ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("confirm", "backup", "field", "fragment"),
    [
        ("佳 县", True, "confirm_name", "不一致"),
        ("", True, "confirm_name", "请输入区县全称"),
        ("佳县", False, "backup_confirmed", "我确认已另行备份"),
    ],
)
def test_offboarding_wants_the_full_name_and_a_backup(confirm, backup, field, fragment):
    tenant = fresh()
    with pytest.raises(ApplicationError) as excinfo:
        tenant_offboard(tenant=tenant, confirm_name=confirm, backup_confirmed=backup, actor=OPS)
    assert any(fragment in m for m in excinfo.value.extra["errors"][field])
    assert schema_exists("jiaxian") and county("jiaxian").status == Tenant.Status.SUSPENDED
    assert not trail(Action.OFFBOARD)


def test_an_active_county_and_the_template_cannot_be_offboarded():
    tenant = fresh(suspended=False)
    with pytest.raises(ApplicationError, match="请先暂停"):
        tenant_offboard(tenant=tenant, confirm_name="佳县", backup_confirmed=True, actor=OPS)
    template = Tenant.objects.get(status=Tenant.Status.TEMPLATE)
    with pytest.raises(ApplicationError, match="区县模板不能注销"):
        tenant_offboard(
            tenant=template, confirm_name=template.name, backup_confirmed=True, actor=OPS
        )
    assert schema_exists("jiaxian") and schema_exists(template.schema_name)


def test_a_county_with_transfers_on_their_way_cannot_be_offboarded():
    from shared.interchange.models import TransferEnvelope

    tenant = fresh()
    envelope = TransferEnvelope.objects.create(
        source_schema=ALPHA.schema, source_transfer_id=987654, target_schema="jiaxian",
        masked_name="张*", from_name="某村党支部", to_name="佳县", payload="-",
    )  # fmt: skip
    with pytest.raises(ApplicationError, match="还有 1 件跨区县组织关系转接未办结"):
        tenant_offboard(tenant=tenant, confirm_name="佳县", backup_confirmed=True, actor=OPS)
    assert schema_exists("jiaxian")
    TransferEnvelope.objects.filter(pk=envelope.pk).update(state=TransferEnvelope.State.RETURNED)
    tenant_offboard(tenant=tenant, confirm_name="佳县", backup_confirmed=True, actor=OPS)
    assert not schema_exists("jiaxian")


def test_offboarding_drops_schema_domains_and_files_and_keeps_the_row(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    tenant = fresh()
    tenant_domain_add(tenant=tenant, domain="jiaxian2.localhost", actor=OPS)
    files = Path(tmp_path, "jiaxian", "development")
    files.mkdir(parents=True)
    (files / "材料.pdf").write_bytes(b"%PDF")
    Path(tmp_path, "jiaxian2").mkdir()  # another county's folder is not touched
    Path(tmp_path, ALPHA.schema).mkdir()
    with django_capture_on_commit_callbacks(execute=True):
        tenant_offboard(tenant=tenant, confirm_name=" 佳县 ", backup_confirmed=True, actor=OPS)
    gone = county("jiaxian")
    assert gone.status == Tenant.Status.OFFBOARDED
    assert gone.offboarded_by == "ops" and gone.offboarded_at is not None
    assert not schema_exists("jiaxian")
    assert not gone.domains.exists()
    assert resolver.resolve("jiaxian.localhost") is None
    assert not Path(tmp_path, "jiaxian").exists()
    assert Path(tmp_path, "jiaxian2").exists() and Path(tmp_path, ALPHA.schema).exists()
    # The city tree's node and the trail still name it.
    assert CityOrganization.objects.get(tenant=gone).name == "中共佳县委员会"
    (event,) = trail(Action.OFFBOARD)
    assert event.tenant_id == gone.pk and "jiaxian2.localhost" in event.detail
    assert "操作人确认已另行备份" in event.detail
    # The others are untouched.
    assert schema_exists(ALPHA.schema) and schema_exists(BETA.schema)
    assert county(ALPHA.schema).domains.exists()
    with pytest.raises(ApplicationError, match="已注销"):
        tenant_offboard(tenant=gone, confirm_name="佳县", backup_confirmed=True, actor=OPS)
    # Releases go on: migrations pass over the county whose schema is gone.
    from django.core.management import call_command

    from zhdj.tenancy.executor import offboarded

    assert offboarded(["jiaxian", ALPHA.schema]) == {"jiaxian"}
    call_command("migrate_schemas", tenant=True, executor="pending", verbosity=0)


def test_a_recent_archive_replaces_the_extra_confirmation(monkeypatch):
    tenant = fresh()
    monkeypatch.setattr(
        archives, "latest_archive_at", lambda t: timezone.now() - timedelta(hours=30)
    )
    with pytest.raises(ApplicationError) as excinfo:
        tenant_offboard(tenant=tenant, confirm_name="佳县", backup_confirmed=False, actor=OPS)
    assert "backup_confirmed" in excinfo.value.extra["errors"]  # too old
    made = timezone.now() - timedelta(hours=2)
    monkeypatch.setattr(archives, "latest_archive_at", lambda t: made)
    tenant_offboard(tenant=tenant, confirm_name="佳县", backup_confirmed=False, actor=OPS)
    assert county("jiaxian").status == Tenant.Status.OFFBOARDED
    assert "最近备份" in trail(Action.OFFBOARD)[0].detail


# --- the ops pages -------------------------------------------------------------------


def test_the_domains_page_renames_adds_and_removes(ops_client):
    tenant = county()
    page = f"/ops/tenants/{tenant.pk}/domains/"
    assert ops_client.get(page).status_code == 200
    response = ops_client.post(page, {"action": "add", "add-domain": "yuyang2.localhost"})
    assert response.status_code == 302
    ops_client.post(page, {"action": "primary", "domain": "yuyang2.localhost"})
    ops_client.post(page, {"action": "remove", "domain": ALPHA.host})
    ops_client.post(page, {"action": "rename", "rename-domain": "yuyang3.localhost"})
    assert hosts(county()) == {"yuyang3.localhost": True}
    events = changes().order_by("id").values_list("action", "username")
    assert list(events) == [
        (Action.DOMAIN_ADD, "ops"),
        (Action.DOMAIN_PRIMARY, "ops"),
        (Action.DOMAIN_REMOVE, "ops"),
        (Action.DOMAIN_RENAME, "ops"),
    ]


def test_a_bad_domain_on_the_page_is_named_and_the_typed_value_kept(ops_client):
    tenant = county()
    page = f"/ops/tenants/{tenant.pk}/domains/"
    response = ops_client.post(page, {"action": "rename", "rename-domain": BETA.host})
    assert response.status_code == 200
    html = response.content.decode()
    assert "已被使用" in _errors(html)["rename-domain"]
    assert f'value="{BETA.host}"' in html
    response = ops_client.post(page, {"action": "add", "add-domain": "坏 域名"})
    assert "格式不正确" in _errors(response.content.decode())["add-domain"]
    response = ops_client.post(page, {"action": "remove", "domain": ALPHA.host}, follow=True)
    assert "主域名不能删除" in response.content.decode()
    response = ops_client.post(page, {"action": "bogus"}, follow=True)
    assert "请从页面上选择操作" in response.content.decode()
    assert hosts(county()) == {ALPHA.host: True}
    assert not changes().exists()


def test_the_offboarding_page_queues_a_job_that_drops_the_county(ops_client):
    tenant = fresh()
    page = f"/ops/tenants/{tenant.pk}/offboard/"
    html = ops_client.get(page).content.decode()
    assert "我确认已另行备份" in html and "佳县" in html
    response = ops_client.post(page, {"confirm_name": "佳县"})
    assert response.status_code == 200
    assert "我确认已另行备份" in _errors(response.content.decode())["backup_confirmed"]
    assert 'value="佳县"' in response.content.decode()  # what was typed stays
    response = ops_client.post(page, {"confirm_name": "佳县", "backup_confirmed": "on"})
    job = OnboardingJob.objects.get(kind=OnboardingJob.Kind.OFFBOARD)
    assert response.status_code == 302 and response["Location"] == f"/ops/jobs/{job.pk}/"
    assert trail(Action.OFFBOARD_QUEUED)[0].username == "ops"
    # A second click does not queue a second job.
    again = ops_client.post(page, {"confirm_name": "佳县", "backup_confirmed": "on"})
    assert "已在进行中" in again.content.decode()
    assert run_offboarding_job(str(job.pk)) == "succeeded"
    job.refresh_from_db()
    assert job.state == OnboardingJob.State.SUCCEEDED and "已注销" in job.message
    assert "注销“佳县”" in ops_client.get(f"/ops/jobs/{job.pk}/").content.decode()
    assert not schema_exists("jiaxian")
    event = trail(Action.OFFBOARD)[0]
    assert event.username == "ops" and event.ip == "127.0.0.1" and event.origin == page
    listing = ops_client.get("/ops/tenants/").content.decode()
    assert "已注销" in listing


def test_the_offboarding_page_refuses_an_active_county_and_the_template(ops_client):
    for tenant in (county(), Tenant.objects.get(status=Tenant.Status.TEMPLATE)):
        page = f"/ops/tenants/{tenant.pk}/offboard/"
        assert ops_client.get(page).status_code == 200
        response = ops_client.post(page, {"confirm_name": tenant.name, "backup_confirmed": "on"})
        assert response.status_code == 200
        assert 'data-testid="offboard-refused"' in response.content.decode()
    assert not OnboardingJob.objects.exists() and schema_exists(ALPHA.schema)


# --- who may act, who may read ------------------------------------------------------------


@pytest.mark.parametrize("username", ["city", "shenji", "anquan"])
def test_only_ops_users_act_on_counties(username):
    client = logged_in(CITY_HOST, username)
    tenant = county()
    for path, data in (
        (f"/ops/tenants/{tenant.pk}/domains/", {"action": "add", "add-domain": "x1.localhost"}),
        (f"/ops/tenants/{tenant.pk}/offboard/", {"confirm_name": ALPHA.name}),
        (f"/ops/tenants/{tenant.pk}/suspend/", {"reason": "越权"}),
        ("/ops/tenants/", {}),
    ):
        assert client.get(path).status_code in (403, 405)
        assert client.post(path, data).status_code == 403
    assert hosts(county()) == {ALPHA.host: True}
    assert county().status == Tenant.Status.ACTIVE
    assert not changes().exists()


def test_county_users_never_reach_the_ops_pages(alpha_admin, beta_admin):
    tenant = county()
    for client in (alpha_admin, beta_admin):
        for path in (
            f"/ops/tenants/{tenant.pk}/domains/",
            f"/ops/tenants/{tenant.pk}/offboard/",
            "/ops/lifecycle/",
        ):
            assert client.get(path).status_code == 404
            assert client.post(
                path, {"action": "add", "add-domain": "x1.localhost"}
            ).status_code in (
                403,
                404,
            )
    assert hosts(county()) == {ALPHA.host: True}


def test_the_city_auditor_reads_the_trail_and_nobody_else(ops_client):
    tenant_domain_add(tenant=county(), domain="yuyang2.localhost", actor=OPS)
    auditor = logged_in(CITY_HOST, "shenji")
    response = auditor.get("/ops/lifecycle/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "区县变更记录" in html and "添加域名" in html and ALPHA.name in html
    assert "yuyang2.localhost" in html and "10.0.0.8" in html
    assert "区县变更记录" in auditor.get("/").content.decode()  # in the menu
    filtered = auditor.get("/ops/lifecycle/", {"action": "suspend"}).content.decode()
    assert "yuyang2.localhost" not in filtered
    assert auditor.get("/ops/lifecycle/", {"action": "nonsense"}).status_code == 400
    assert ops_client.get("/ops/lifecycle/").status_code == 403
    for username in ("city", "anquan"):
        assert logged_in(CITY_HOST, username).get("/ops/lifecycle/").status_code == 403


def test_trail_rows_cannot_be_changed_or_deleted():
    tenant_domain_add(tenant=county(), domain="yuyang2.localhost", actor=OPS)
    event = changes().get()
    for attempt in (
        lambda: LifecycleEvent.objects.filter(pk=event.pk).update(detail="改过"),
        lambda: LifecycleEvent.objects.filter(pk=event.pk).delete(),
        event.delete,
    ):
        with pytest.raises(DatabaseError, match="不可修改或删除"), transaction.atomic():
            attempt()
    with pytest.raises(DatabaseError), transaction.atomic():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE customers_lifecycleevent")
    assert changes().get().detail == event.detail


# --- the command line ------------------------------------------------------------------


def test_the_domain_command_does_what_the_page_does(capsys):
    call_command("county_domain", "--schema", ALPHA.schema, "--add", "yuyang2.localhost")
    call_command("county_domain", "--schema", ALPHA.schema, "--primary", "yuyang2.localhost")
    call_command("county_domain", "--schema", ALPHA.schema, "--remove", ALPHA.host)
    call_command(
        "county_domain", "--schema", ALPHA.schema, "--rename", "yuyang3.localhost", "--by", "张三"
    )
    assert hosts(county()) == {"yuyang3.localhost": True}
    assert "主域名已改为 yuyang3.localhost" in capsys.readouterr().out
    event = trail(Action.DOMAIN_RENAME)[0]
    assert event.source == "command" and event.username.startswith("张三（")
    assert event.origin == "manage.py county_domain --schema alpha --rename yuyang3.localhost"
    assert event.ip is None


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--schema", "nowhere", "--add", "x1.localhost"], "没有标识为“nowhere”的区县"),
        (["--schema", ALPHA.schema, "--add", BETA.host], "域名：域名“beta.localhost”已被使用"),
        (["--schema", ALPHA.schema, "--add", "bad_host!.localhost"], "格式不正确"),
        (["--schema", ALPHA.schema, "--remove", ALPHA.host], "主域名不能删除"),
        (["--schema", "county_template", "--add", "x1.localhost"], "区县模板"),
    ],
)
def test_the_domain_command_refuses_in_chinese(args, fragment):
    with pytest.raises(CommandError) as excinfo:
        call_command("county_domain", *args)
    assert fragment in str(excinfo.value)
    assert hosts(county()) == {ALPHA.host: True}
    assert not changes().exists()


def test_the_offboarding_command_checks_like_the_page_and_drops(capsys):
    fresh(suspended=False)
    with pytest.raises(CommandError, match="请先暂停"):
        call_command("offboard_district", "--schema", "jiaxian", "--confirm-name", "佳县")
    call_command("county_status", "--schema", "jiaxian", "--suspend", "撤并")
    with pytest.raises(CommandError) as excinfo:
        call_command("offboard_district", "--schema", "jiaxian", "--confirm-name", "佳")
    assert "区县全称：输入的名称“佳”与区县全称不一致" in str(excinfo.value)
    assert "备份确认：" in str(excinfo.value)
    assert schema_exists("jiaxian")
    call_command(
        "offboard_district", "--schema", "jiaxian", "--confirm-name", "佳县", "--backup-confirmed"
    )
    assert "已注销 佳县" in capsys.readouterr().out
    assert not schema_exists("jiaxian")
    assert county("jiaxian").status == Tenant.Status.OFFBOARDED
    assert [e.source for e in changes().order_by("id")] == ["command", "command"]
    with pytest.raises(CommandError, match="只有已暂停的区县可以恢复"):
        call_command("county_status", "--schema", "jiaxian", "--resume")


def test_an_offboarded_county_keeps_its_name_code_and_identifier_taken():
    tenant = fresh()
    tenant_offboard(tenant=tenant, confirm_name="佳县", backup_confirmed=True, actor=OPS)
    with pytest.raises(ApplicationError) as excinfo:
        tenant_onboard(FRESH)
    errors = excinfo.value.extra["errors"]
    for field in ("name", "region_code", "schema_name"):
        assert "属于已注销的“佳县”" in errors[field][0]
    assert "domain" not in errors  # its domain is free again
