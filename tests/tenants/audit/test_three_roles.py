"""三员分立 (issue 17): the system administrator, the security administrator and the auditor,
at the city and in both counties — each role against each kind of page, allowed or denied;
the duty table is the one place that says so (shared/accounts/roles.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import URLPattern
from django_tenants.utils import schema_context

from shared.accounts.events import Kind, record
from shared.accounts.models import SecurityEvent, User
from shared.accounts.roles import DUTIES, OFFICER_ROLES, Duty, has_duty, roles_with
from tenants.access.models import Post
from tenants.access.permissions import Perm
from tenants.access.scope import Scope, scope_for
from tenants.access.services import post_assign, post_end, post_grant_set
from tenants.members.models import Member
from tenants.orgs.models import Organization
from tests.conftest import logged_in
from tests.support.sweep import walk
from tests.support.world import ALPHA, BETA, CITY_HOST

pytestmark = pytest.mark.django_db

OK, DENIED = 200, 403

# page kind → (a county address, who may open it). Everyone else gets 403.
COUNTY_PAGES = {
    "audit trail": ("/audit/", {"shenji"}),
    "audit trail export": ("/audit/export.xlsx", {"shenji"}),
    "security events": ("/audit/events/", {"shenji", "anquan"}),
    "security events export": ("/audit/events/export.xlsx", {"shenji"}),
    "post permissions": ("/teams/permissions/", {"anquan"}),
    "post permission change": ("/teams/permissions/change/", {"anquan"}),
    "member data": ("/members/", {"admin", "branchsec"}),
    "member export": ("/imports/members/export.xlsx", {"admin", "branchsec"}),
    "organizations": ("/orgs/", {"admin", "branchsec"}),
    "statistics": ("/stats/", {"admin", "branchsec"}),
    "teams": ("/teams/", {"admin", "branchsec"}),
    "settings": ("/rules/", {"admin"}),
    "logins": ("/logins/", {"admin", "branchsec"}),
    "home": ("/", {"admin", "branchsec", "anquan", "shenji"}),
}
COUNTY_USERS = ("admin", "anquan", "shenji", "branchsec")

CITY_PAGES = {
    "security events": ("/security/", {"shenji", "anquan"}),
    "security events export": ("/security/export.xlsx", {"shenji"}),
    "city dashboard": ("/dashboard/", {"city", "ops"}),
    "counties": ("/ops/tenants/", {"ops"}),
    "city accounts": ("/users/", {"ops"}),
    "home": ("/", {"city", "ops", "shenji", "anquan"}),
}
CITY_USERS = ("city", "ops", "anquan", "shenji")


@pytest.mark.parametrize("county", [ALPHA, BETA], ids=["alpha", "beta"])
def test_each_county_role_on_each_kind_of_page(county):
    clients = {name: logged_in(county.host, name) for name in COUNTY_USERS}
    wrong = []
    for kind, (url, allowed) in COUNTY_PAGES.items():
        for name, client in clients.items():
            response = client.get(url)
            if getattr(response, "streaming", False):
                # Reading it all makes the test client close the file answer's file.
                b"".join(response.streaming_content)
            status = response.status_code
            expected = OK if name in allowed else DENIED
            if status == 302 and expected == DENIED and url == "/members/":
                continue  # the member list sends a non-manager home
            if status != expected:
                wrong.append((kind, url, name, status, expected))
    assert not wrong


def test_each_city_role_on_each_kind_of_page():
    clients = {name: logged_in(CITY_HOST, name) for name in CITY_USERS}
    wrong = []
    for kind, (url, allowed) in CITY_PAGES.items():
        for name, client in clients.items():
            response = client.get(url)
            if getattr(response, "streaming", False):
                # Reading it all makes the test client close the file answer's file.
                b"".join(response.streaming_content)
            status = response.status_code
            expected = OK if name in allowed else DENIED
            if status != expected:
                wrong.append((kind, url, name, status, expected))
    assert not wrong


def test_the_officers_home_and_menu_show_their_duties_only(alpha):
    auditor = logged_in(alpha.host, "shenji").get("/").content.decode()
    nav = auditor.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert "审计日志" in nav and "安全审计" in nav
    for other in ("党员信息", "组织架构", "职务权限", "规则参数", "登录账号", "党内统计"):
        assert other not in nav, other
    security = logged_in(alpha.host, "anquan").get("/").content.decode()
    nav = security.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert "职务权限" in nav and "安全审计" in nav and "审计日志" not in nav
    assert "党员信息" not in nav
    admin = logged_in(alpha.host, "admin").get("/").content.decode()
    nav = admin.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert "党员信息" in nav and "规则参数" in nav
    assert "审计日志" not in nav and "职务权限" not in nav and "安全审计" not in nav
    city = logged_in(CITY_HOST, "shenji").get("/")
    assert city.status_code == 200
    text = city.content.decode()
    assert "审计管理员" in text and 'href="/security/"' in text
    assert ALPHA.name not in text and BETA.name not in text  # no county figures


def test_officers_see_no_member_data_through_the_api(alpha):
    with schema_context(alpha.schema):
        names = list(Member.objects.values_list("name", flat=True))
    for name in ("shenji", "anquan"):
        client = logged_in(alpha.host, name)
        for url in ("/api/members/", "/api/orgs/", "/api/transfers/", "/api/dues/bills/"):
            response = client.get(url)
            assert response.status_code in (200, 403), (name, url)
            body = response.content.decode()
            assert not any(n in body for n in names), (name, url)


def test_an_officer_scope_has_no_organization_even_with_a_member_record(alpha):
    with schema_context(alpha.schema):
        auditor = User.objects.get(username="shenji")
        # Even if someone links the auditor's login to a member holding a post …
        member = Member.objects.get(user__username="townsec")
        Member.objects.filter(pk=member.pk).update(user=auditor)
        scope = scope_for(auditor)
        assert not scope.is_admin and scope.member_id is None and not scope.grants
        assert scope.may(Duty.AUDIT_TRAIL) and not scope.may(Duty.POST_GRANTS)
        assert not Member.objects.visible_to(scope).exists()
        admin = scope_for(User.objects.get(username="admin"))
        assert admin.is_admin and not admin.may(Duty.AUDIT_TRAIL)
        assert not admin.may(Duty.POST_GRANTS) and admin.may(Duty.ACCOUNTS)
        assert Scope.system().may(Duty.POST_GRANTS)


def test_the_duty_table_separates_the_three():
    assert roles_with(Duty.AUDIT_TRAIL) == {User.Role.AUDITOR}
    assert roles_with(Duty.SECURITY_EVENTS_EXPORT) == {User.Role.AUDITOR}
    assert roles_with(Duty.POST_GRANTS) == {User.Role.SECURITY_ADMIN}
    assert roles_with(Duty.SECURITY_EVENTS) == {User.Role.AUDITOR, User.Role.SECURITY_ADMIN}
    # The auditor administers nothing; nobody who administers audits.
    assert DUTIES[User.Role.AUDITOR] <= {
        Duty.AUDIT_TRAIL,
        Duty.SECURITY_EVENTS,
        Duty.SECURITY_EVENTS_EXPORT,
    }
    for role, duties in DUTIES.items():
        if role != User.Role.AUDITOR:
            assert Duty.AUDIT_TRAIL not in duties, role
    assert set(DUTIES) == set(User.Role)  # every role is in the table
    assert {User.Role.SECURITY_ADMIN, User.Role.AUDITOR} == OFFICER_ROLES
    assert not has_duty(None, Duty.AUDIT_TRAIL)


def test_the_ops_team_creates_the_city_officers(db):
    client = logged_in(CITY_HOST, "ops")
    form = client.get("/users/new/").content.decode()
    assert "安全管理员" in form and "审计管理员" in form
    response = client.post(
        "/users/new/",
        {
            "username": "shenji2",
            "full_name": "第二审计员",
            "role": "auditor",
            "password_mode": "random",
            "password": "",
        },
    )
    assert response.status_code == 200
    created = User.objects.get(username="shenji2")
    assert created.role == User.Role.AUDITOR and created.must_change_password
    event = SecurityEvent.objects.filter(kind=Kind.ACCOUNT).latest("id")
    assert event.username == "ops" and "第二审计员" in event.target and "审计管理员" in event.detail


def test_an_officer_of_one_county_is_nobody_in_the_other(alpha, beta):
    with schema_context(alpha.schema):
        record(Kind.LOGIN, username="只在榆阳", target="alpha-only-event")
    with schema_context(beta.schema):
        record(Kind.LOGIN, username="只在横山", target="beta-only-event")
    alpha_auditor = logged_in(alpha.host, "shenji")
    page = alpha_auditor.get("/audit/events/").content.decode()
    assert "alpha-only-event" in page and "beta-only-event" not in page
    beta_page = logged_in(beta.host, "shenji").get("/audit/events/").content.decode()
    assert "beta-only-event" in beta_page and "alpha-only-event" not in beta_page
    # Alpha's session means nothing on beta's host.
    assert alpha_auditor.get("/audit/events/", HTTP_HOST=beta.host).status_code in (302, 403)
    city = logged_in(CITY_HOST, "shenji").get("/security/").content.decode()
    assert "alpha-only-event" not in city and "beta-only-event" not in city


# --- Events written by the services ----------------------------------------------------------


def test_post_changes_and_grant_changes_are_permission_events(alpha):
    with schema_context(alpha.schema):
        admin = User.objects.get(username="admin")
        member = Member.objects.get(name=f"{alpha.name}党员")
        org = Organization.objects.get(name=f"{alpha.name}某村党支部")
        before = SecurityEvent.objects.count()
        post = post_assign(
            scope=scope_for(admin),
            org=org,
            member=member,
            post_code="youth",
            started_at=date(2026, 1, 1),
        )
        post_end(scope=scope_for(admin), post=post, ended_at=date(2026, 2, 1), reason="调动")
        security = User.objects.get(username="anquan")
        post_grant_set(
            scope=scope_for(security),
            post_code="youth",
            permission=Perm.STATS_VIEW,
            granted=True,
            reason="县委文件",
            actor=security,
        )
        events = list(SecurityEvent.objects.order_by("id")[before:])
        assert [e.kind for e in events] == [Kind.PERMISSION] * 3
        assign, end, grant = events
        assert assign.username == "admin" and "青年委员" in assign.target
        assert member.name in assign.target and "任职" in assign.detail
        assert "免职" in end.detail and "调动" in end.detail
        assert grant.username == "anquan" and "查看党内统计" in grant.target
        assert "县委文件" in grant.detail
        assert Post.objects.filter(pk=post.pk, ended_at=date(2026, 2, 1)).exists()


def test_login_management_writes_account_events(alpha):
    client = logged_in(alpha.host, "admin")
    with schema_context(alpha.schema):
        other = Member.objects.get(name="赵其他")
        before = SecurityEvent.objects.filter(kind=Kind.ACCOUNT).count()
    from tenants.logins.services import login_disable, login_issue, login_reset

    with schema_context(alpha.schema):
        scope = scope_for(User.objects.get(username="admin"))
        login_issue(scope=scope, person=other)
        other.refresh_from_db()
        login_reset(scope=scope, person=other)
        login_disable(scope=scope, person=other)
        events = list(SecurityEvent.objects.filter(kind=Kind.ACCOUNT).order_by("id")[before:])
    assert [e.detail.split("（")[0].split("，")[0] for e in events] == [
        "开通登录账号",
        "重置密码",
        "停用登录账号",
    ]
    assert all(e.username == "admin" and "赵其他" in e.target for e in events)
    assert client  # the administrator is signed in on the county's own site


# --- Exports ------------------------------------------------------------------------------

# Download addresses that are not exports, or log their own kind of event.
NOT_EXPORTS = {
    "imports:template": "an empty import template: no data leaves",
    "transfers:letter-pdf": "an official letter: a REVEAL event (views_letters.py)",
    "transfers:proof-pdf": "an official proof: a REVEAL event (views_letters.py)",
}


def _callbacks(urlconf: str) -> dict[str, object]:
    from importlib import import_module

    found: dict[str, object] = {}

    def visit(patterns, namespace: str) -> None:  # type: ignore[no-untyped-def]
        for p in patterns:
            if isinstance(p, URLPattern):
                found[f"{namespace}{p.name}"] = p.callback
            else:
                visit(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)

    visit(import_module(urlconf).urlpatterns, "")
    return found


@pytest.mark.parametrize("urlconf", ["zhdj.urls_tenant", "zhdj.urls_public"])
def test_every_export_address_writes_an_export_event(urlconf):
    callbacks = _callbacks(urlconf)
    unmarked = []
    for route in walk(urlconf):
        download = route.template.endswith((".xlsx", ".pdf")) or route.name.endswith("export")
        if not download or route.name in NOT_EXPORTS:
            continue
        if not getattr(callbacks.get(route.name), "zhdj_export", ""):
            unmarked.append(route.name)
    assert not unmarked, f"exports without zhdj.web.exports.exported: {unmarked}"


def test_an_export_writes_one_event_with_the_client_address(alpha, settings):
    settings.ZHDJ_TRUSTED_PROXIES = 1
    client = logged_in(alpha.host, "admin")
    with schema_context(alpha.schema):
        before = SecurityEvent.objects.filter(kind=Kind.EXPORT).count()
    response = client.get("/stats/export.xlsx", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3")
    assert response.status_code == 200
    refused = client.get("/stats/export.xlsx", {"on": "9999-99-99"})
    assert refused.status_code == 400  # no file, no event
    with schema_context(alpha.schema):
        events = list(SecurityEvent.objects.filter(kind=Kind.EXPORT).order_by("id")[before:])
    assert len(events) == 1
    (event,) = events
    assert (event.username, event.target, event.ip) == ("admin", "党内统计", "10.1.2.3")
    assert event.path == "/stats/export.xlsx" and "党内统计_" in event.detail


def test_audit_rows_carry_the_client_address_not_the_leftmost(alpha, settings):
    from django.apps import apps

    settings.ZHDJ_TRUSTED_PROXIES = 1
    client = logged_in(alpha.host, "anquan")
    response = client.post(
        "/teams/permissions/change/",
        {"post_code": "youth", "permission": Perm.STATS_VIEW, "granted": "1", "reason": "文件"},
        HTTP_X_FORWARDED_FOR="6.6.6.6, 10.9.8.7",
    )
    assert response.status_code == 302
    event_model = apps.get_model("access", "PostGrantOverrideEvent")
    with schema_context(alpha.schema):
        event = event_model.objects.latest("pgh_id")
        assert event.pgh_context.metadata["ip"] == "10.9.8.7"
        assert event.pgh_context.metadata["url"] == "/teams/permissions/change/"
    page = logged_in(alpha.host, "shenji").get("/audit/?kind=post_grant").content.decode()
    rows = page.split('data-testid="audit-rows"')[1].split("</tbody>")[0]
    assert "10.9.8.7" in rows and "6.6.6.6" not in rows
    assert "青年委员 · 查看党内统计（授予）" in rows and "stats.view" not in rows


# --- Who creates the officers of a county: the ops team, not the county administrator -------


def test_the_ops_team_creates_resets_and_disables_a_county_officer(alpha, beta):
    from shared.customers.models import Tenant

    ops = logged_in(CITY_HOST, "ops")
    alpha_tenant = Tenant.objects.get(schema_name=alpha.schema)
    page = ops.get("/users/counties/").content.decode()
    assert alpha.name in page and "shenji" in page and "anquan" in page
    refused = ops.post(
        "/users/counties/",
        {"county": alpha_tenant.pk, "role": "county_admin", "username": "x", "full_name": "某"},
    )
    assert refused.status_code == 200 and "请选择安全管理员或审计管理员" in refused.content.decode()
    taken = ops.post(
        "/users/counties/",
        {"county": alpha_tenant.pk, "role": "auditor", "username": "shenji", "full_name": "某"},
    )
    assert "该区县已有同名用户" in taken.content.decode()
    created = ops.post(
        "/users/counties/",
        {
            "county": alpha_tenant.pk,
            "role": "auditor",
            "username": "shenji3",
            "full_name": "新审计",
        },
    )
    assert created.status_code == 200
    password = created.content.decode().split('data-testid="officer-password">')[1].split("<")[0]
    assert len(password) >= 8
    with schema_context(alpha.schema):
        user = User.objects.get(username="shenji3")
        assert user.role == User.Role.AUDITOR and user.must_change_password
        county_event = SecurityEvent.objects.filter(kind=Kind.ACCOUNT).latest("id")
        assert county_event.user_id is None and county_event.username.startswith("ops")
        assert "新审计" in county_event.target
    with schema_context(beta.schema):
        assert not User.objects.filter(username="shenji3").exists()
    city_event = SecurityEvent.objects.filter(kind=Kind.ACCOUNT).latest("id")
    assert city_event.username == "ops" and alpha.name in city_event.target
    reset = ops.post(
        "/users/counties/action/", {"county": alpha_tenant.pk, "user": user.pk, "action": "reset"}
    )
    assert reset.status_code == 200 and 'data-testid="officer-password"' in reset.content.decode()
    disabled = ops.post(
        "/users/counties/action/",
        {"county": alpha_tenant.pk, "user": user.pk, "action": "disable"},
    )
    assert disabled.status_code == 302
    with schema_context(alpha.schema):
        assert not User.objects.get(pk=user.pk).is_active
        # Every row the ops user's acts wrote in the county (the account change, the password
        # reset, the sessions ended) names them by name: their id means someone else here.
        by_ops = SecurityEvent.objects.filter(username__startswith="ops")
        assert by_ops.count() >= 3 and not by_ops.exclude(user_id=None).exists()
        assert by_ops.filter(kind=Kind.PASSWORD).exists()
        admin_id = User.objects.get(username="admin").pk
    # Not an officer: the county administrator's account is not reachable here.
    assert (
        ops.post(
            "/users/counties/action/",
            {"county": alpha_tenant.pk, "user": admin_id, "action": "disable"},
        ).status_code
        == 404
    )
    for name in ("city", "shenji", "anquan"):
        assert logged_in(CITY_HOST, name).get("/users/counties/").status_code == 403
    # The county administrator has no such page, and cannot manage an officer's login.
    assert logged_in(alpha.host, "admin").get("/users/counties/").status_code == 404
