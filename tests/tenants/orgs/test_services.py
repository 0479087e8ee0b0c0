from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.access.models import Post
from tenants.access.scope import scope_for
from tenants.members.models import Member
from tenants.orgs.models import Organization, OrganizationChange
from tenants.orgs.selectors import org_warnings
from tenants.orgs.services import (
    org_create,
    org_dissolve,
    org_merge,
    org_move,
    org_rename,
    org_update,
)
from zhdj.errors import ApplicationError

TODAY = date(2026, 11, 25)


@pytest.fixture
def world(db, alpha):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        admin = User.objects.get(username="admin")
        yield {
            "admin": admin,
            "scope": scope_for(admin),
            "town": Organization.objects.get(name__endswith="某镇党委"),
            "village": Organization.objects.get(name__endswith="某村党支部"),
            "other": Organization.objects.get(name__endswith="另一村党支部"),
            "root": Organization.objects.get_root_nodes().get(),
        }
    connection.set_schema_to_public()


def test_rename_keeps_history(world):
    org_rename(
        scope=world["scope"],
        org=world["village"],
        name="榆阳区新村党支部",
        effective_date=TODAY,
        actor=world["admin"],
        reason="村名变更",
    )
    change = OrganizationChange.objects.filter(org=world["village"], action="rename").get()
    assert change.before == {"name": "榆阳区某村党支部"}
    assert change.after == {"name": "榆阳区新村党支部"}


def test_move_takes_the_subtree_and_members_along(world):
    new_town = org_create(
        scope=world["scope"], parent=world["root"], name="新设镇党委", type_code="base_committee"
    )
    org_move(
        scope=world["scope"],
        org=world["village"],
        new_parent=new_town,
        effective_date=TODAY,
        actor=world["admin"],
    )
    village = Organization.objects.get(pk=world["village"].pk)
    assert Organization.objects.get_parent(village).pk == new_town.pk
    assert Member.objects.filter(org=village).count() == 3
    # Scope follows the tree: the town secretary no longer covers the moved branch.
    townsec = scope_for(User.objects.get(username="townsec"))
    assert not townsec.covers_org(village)


def test_move_refuses_cycles_and_wrong_parents(world):
    with pytest.raises(ApplicationError, match="下级组织"):
        org_move(
            scope=world["scope"],
            org=world["town"],
            new_parent=world["village"],
            effective_date=TODAY,
            actor=world["admin"],
        )
    with pytest.raises(ApplicationError, match="不能设在"):
        org_move(
            scope=world["scope"],
            org=world["other"],
            new_parent=world["village"],
            effective_date=TODAY,
            actor=world["admin"],
        )


def test_dissolve_needs_members_placed_first(world):
    with pytest.raises(ApplicationError, match="名党员"):
        org_dissolve(
            scope=world["scope"],
            org=world["other"],
            effective_date=TODAY,
            actor=world["admin"],
            reason="村撤并",
        )
    assert Organization.objects.get(pk=world["other"].pk).is_active


def test_merge_moves_members_ends_posts_and_dissolves(world):
    Post.objects.create(
        org=world["other"],
        member=Member.objects.get(name="赵其他"),
        post_code="secretary",
        started_at=date(2024, 1, 1),
    )
    org_merge(
        scope=world["scope"],
        source=world["other"],
        target=world["village"],
        effective_date=TODAY,
        actor=world["admin"],
        reason="两村合并",
    )
    other = Organization.objects.get(pk=world["other"].pk)
    assert not other.is_active and other.dissolved_at == TODAY
    assert Member.objects.get(name="赵其他").org_id == world["village"].pk
    assert not Post.objects.filter(org=other, ended_at__isnull=True).exists()
    actions = set(OrganizationChange.objects.filter(org=other).values_list("action", flat=True))
    assert {"merge", "dissolve"} <= actions


def test_branch_secretary_cannot_restructure_outside_the_branch(world):
    branchsec = scope_for(User.objects.get(username="branchsec"))
    with pytest.raises(ApplicationError, match="无权"):
        org_rename(
            scope=branchsec,
            org=world["other"],
            name="x",
            effective_date=TODAY,
            actor=world["admin"],
        )


def test_update_checks_codes_credit_code_terms_and_authority(world):
    scope, admin = world["scope"], world["admin"]
    org_update(
        scope=scope,
        org=world["village"],
        actor=admin,
        values={
            "category_code": "3",
            "unit_situation_code": "1",
            "credit_code": "91610802MA70ABCD1X",
            "latitude": Decimal("38.285000"),
            "longitude": Decimal("109.734000"),
            "term_started_at": date(2024, 1, 1),
            "term_ends_at": date(2027, 1, 1),
        },
    )
    change = OrganizationChange.objects.filter(org=world["village"], action="update").get()
    assert change.after["category_code"] == "3"
    for values, field in [
        ({"category_code": "42"}, "category_code"),
        ({"credit_code": "123"}, "credit_code"),
        ({"term_started_at": date(2024, 1, 1), "term_ends_at": date(2023, 1, 1)}, "term_ends_at"),
        ({"latitude": Decimal("38.1")}, "latitude"),
        ({"has_approval_authority": True}, "has_approval_authority"),
        ({"name": "改名"}, None),
    ]:
        with pytest.raises(ApplicationError) as excinfo:
            org_update(scope=scope, org=world["village"], actor=admin, values=values)
        if field:
            assert field in excinfo.value.extra["errors"]


def test_warnings_follow_the_rules_of_section_5(world):
    today = timezone.localdate()
    org_update(
        scope=world["scope"],
        org=world["other"],
        actor=world["admin"],
        values={
            "term_started_at": today - timedelta(days=1000),
            "term_ends_at": today - timedelta(days=1),
        },
    )
    messages = {(w.org_name, w.message) for w in org_warnings(Organization.objects.all())}
    other = world["other"].name
    assert any(name == other and "少于党支部应有的 3 名" in m for name, m in messages)
    assert any(name == other and "届满" in m for name, m in messages)
    assert not any(name == world["village"].name for name, _ in messages)  # 3 full members


def test_pages_show_warnings_history_and_run_adjustments(db, alpha):
    from tests.conftest import logged_in

    client = logged_in(alpha.host, "admin")
    with schema_context(alpha.schema):
        other = Organization.objects.get(name__endswith="另一村党支部")
        town = Organization.objects.get(name__endswith="某镇党委")
    tree = client.get("/orgs/").content.decode()
    assert "需要关注" in tree and "少于党支部应有的 3 名" in tree
    response = client.post(
        f"/orgs/{other.pk}/rename/", {"name": "榆阳区合作村党支部", "effective_date": "2026-11-01"}
    )
    assert response.status_code == 302
    page = client.get(f"/orgs/{other.pk}/").content.decode()
    assert "榆阳区合作村党支部" in page and "更名" in page
    refused = client.post(
        f"/orgs/{other.pk}/dissolve/", {"effective_date": "2026-11-01", "reason": "撤并"}
    )
    assert refused.status_code == 200 and "名党员" in refused.content.decode()
    child = client.post(f"/orgs/{town.pk}/child/", {"name": "新村党支部", "type_code": "branch"})
    assert child.status_code == 302
    assert client.get("/orgs/999999/").status_code == 404
    assert client.get(f"/orgs/{other.pk}/explode/").status_code == 404


def test_branch_secretary_sees_only_the_branch_in_the_tree(db, alpha):
    from tests.conftest import logged_in

    client = logged_in(alpha.host, "branchsec")
    with schema_context(alpha.schema):
        other = Organization.objects.get(name__endswith="另一村党支部")
    page = client.get("/orgs/").content.decode()
    assert "另一村党支部" not in page
    assert client.get(f"/orgs/{other.pk}/").status_code == 404
    assert client.get(f"/orgs/{other.pk}/rename/").status_code == 404


def test_term_reminders_reach_admins_and_post_holders(world):
    from tenants.notifications.models import Notification
    from tenants.orgs.tasks import remind_term_expiry, term_reminders_due

    today = timezone.localdate()
    org_update(
        scope=world["scope"],
        org=world["village"],
        actor=world["admin"],
        values={
            "term_started_at": today - timedelta(days=1000),
            "term_ends_at": today + timedelta(days=30),
        },
    )
    org_update(
        scope=world["scope"],
        org=world["other"],
        actor=world["admin"],
        values={
            "term_started_at": today - timedelta(days=1000),
            "term_ends_at": today + timedelta(days=31),
        },
    )
    due = {org.pk: left for org, left in term_reminders_due(today)}
    assert due == {world["village"].pk: 30}
    assert remind_term_expiry.run() == 1
    notes = Notification.objects.filter(title__contains="换届提醒")
    recipients = set(notes.values_list("recipient__username", flat=True))
    assert recipients == {"admin", "branchsec"}


def test_api_adjusts_the_tree_within_scope(db, alpha):
    from tests.conftest import logged_in

    admin = logged_in(alpha.host, "admin")
    with schema_context(alpha.schema):
        town = Organization.objects.get(name__endswith="某镇党委")
        other = Organization.objects.get(name__endswith="另一村党支部")
        village = Organization.objects.get(name__endswith="某村党支部")
    created = admin.post(
        f"/api/orgs/{town.pk}/children/",
        {"name": "API新支部", "type_code": "branch"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    new_id = created.json()["id"]
    assert created.json()["parent_id"] == town.pk
    renamed = admin.post(
        f"/api/orgs/{new_id}/rename/",
        {"name": "API更名支部", "effective_date": "2026-11-01"},
        content_type="application/json",
    )
    assert renamed.json()["name"] == "API更名支部"
    patched = admin.patch(
        f"/api/orgs/{new_id}/fields/", {"category_code": "3"}, content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["category_code"] == "3"
    bad = admin.patch(
        f"/api/orgs/{new_id}/fields/", {"credit_code": "123"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "credit_code" in bad.json()["errors"]
    refused = admin.post(
        f"/api/orgs/{other.pk}/dissolve/",
        {"effective_date": "2026-11-01", "reason": "撤并"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "名党员" in str(refused.json())
    merged = admin.post(
        f"/api/orgs/{other.pk}/merge/",
        {"target": village.pk, "effective_date": "2026-11-01", "reason": "合并"},
        content_type="application/json",
    )
    assert merged.status_code == 200, merged.content
    assert admin.get("/api/orgs/warnings/").status_code == 200
    branchsec = logged_in(alpha.host, "branchsec")
    outside = branchsec.post(
        f"/api/orgs/{town.pk}/children/",
        {"name": "越权支部", "type_code": "branch"},
        content_type="application/json",
    )
    assert outside.status_code == 404


def test_update_checks_the_contacts_name_and_free_text(world):
    scope, admin, org = world["scope"], world["admin"], world["village"]
    org_update(scope=scope, org=org, actor=admin, values={"contact_name": "艾力\u30fb库尔班"})
    org.refresh_from_db()
    assert org.contact_name == "艾力·库尔班"
    with pytest.raises(ApplicationError) as excinfo:
        org_update(
            scope=scope,
            org=org,
            actor=admin,
            values={"contact_name": "张三1", "unit_name": "某公司\u202e"},
        )
    assert excinfo.value.extra["errors"] == {
        "contact_name": ["联系人不能含有数字“1”。"],
        "unit_name": ["单位名称含有不可见的控制字符或格式字符，请删除后重新输入。"],
    }


def test_an_unchanged_withdrawn_code_does_not_block_an_edit(world):
    from shared.standards import selectors
    from shared.standards.models import Code, CodeTable

    scope, admin, org = world["scope"], world["admin"], world["village"]
    org_update(scope=scope, org=org, actor=admin, values={"category_code": "3"})
    org.refresh_from_db()
    selectors.clear_cache()
    try:
        Code.objects.filter(table=CodeTable.ORG_CATEGORY, code="3").update(is_active=False)
        org_update(
            scope=scope, org=org, actor=admin, values={"category_code": "3", "industry": "农业"}
        )
        with pytest.raises(ApplicationError, match="不在代码表中"):
            org_update(scope=scope, org=world["other"], actor=admin, values={"category_code": "3"})
    finally:
        selectors.clear_cache()
