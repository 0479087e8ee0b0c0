"""Notices by post (issue 16): a 宣传委员 (publicity) or 书记 reaches the members of their
subtree only; the county administrator anyone in the county; a member without such a post
cannot compose. Recipients are found through the member record behind each login, never
by importing the members app."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.access.scope import Scope, scope_for
from tenants.access.services import post_assign
from tenants.notifications.models import Notification
from tenants.notifications.selectors import notice_recipients
from tenants.notifications.services import notice_publish
from tests.conftest import logged_in
from tests.tenants.transfers.conftest import new_member, other_village, village
from zhdj.errors import AccessDenied


@pytest.fixture
def publicity(db, alpha) -> str:  # type: ignore[no-untyped-def]
    """A 宣传委员 of 某村党支部, and a member with a login in 另一村党支部."""
    with schema_context(alpha.schema):
        member = new_member(name="宣传委员")
        post_assign(
            scope=Scope.system(),
            org=village(),
            member=member,
            post_code="publicity",
            started_at=date(2024, 1, 1),
        )
        new_member(other_village(), name="外支部党员")
        username = member.user.username
    connection.set_schema_to_public()
    return username


def _names(queryset) -> set[str]:  # type: ignore[no-untyped-def]
    return set(queryset.values_list("full_name", flat=True))


def test_a_publicity_member_reaches_the_branch_only(db, alpha, publicity):
    with schema_context(alpha.schema):
        scope = scope_for(User.objects.get(username=publicity))
        reach = _names(notice_recipients(scope))
        assert {"李支书", "宣传委员", "榆阳区党员"} <= reach
        assert "外支部党员" not in reach and "admin" not in {
            u.username for u in notice_recipients(scope)
        }
        everyone = _names(notice_recipients(scope_for(User.objects.get(username="admin"))))
        assert "外支部党员" in everyone
        outside = User.objects.get(full_name="外支部党员")
        with pytest.raises(AccessDenied):
            notice_publish(scope=scope, recipients=[outside], title="越权", sender=outside)
        member_scope = scope_for(User.objects.get(username="member"))
        assert not notice_recipients(member_scope).exists()
        with pytest.raises(AccessDenied):
            notice_publish(
                scope=member_scope,
                recipients=[User.objects.get(username="branchsec")],
                title="无权",
                sender=None,
            )
        outside_pk = outside.pk

    client = logged_in(alpha.host, publicity)
    home = client.get("/").content.decode()
    assert "发布通知" in home and "关系转接" not in home and "党费收缴" not in home
    assert client.get("/notifications/compose/").status_code == 200
    found = client.get("/notifications/recipients/", {"q": "外支部"}).json()["results"]
    assert found == []
    found = client.get("/notifications/recipients/", {"q": "李"}).json()["results"]
    assert [r["name"] for r in found] == ["李支书"]
    # Picked from outside the branch: refused under the field, nothing sent.
    refused = client.post("/notifications/compose/", {"title": "学习", "recipients": [outside_pk]})
    assert refused.status_code == 200 and "recipients" in refused.context["form"].errors
    # 发送给本组织全体党员: the branch's logins, nobody else.
    response = client.post("/notifications/compose/", {"title": "支部学习通知", "everyone": "on"})
    assert response.status_code == 302
    with schema_context(alpha.schema):
        sent = set(
            Notification.objects.filter(title="支部学习通知").values_list(
                "recipient__full_name", flat=True
            )
        )
    assert {"李支书", "榆阳区党员"} <= sent and "外支部党员" not in sent


def test_a_member_without_the_post_cannot_compose(db, alpha, publicity):
    member = logged_in(alpha.host, "member")
    assert "发布通知" not in member.get("/").content.decode()
    assert member.get("/notifications/compose/").status_code == 403
    assert member.get("/notifications/recipients/").status_code == 403


def test_the_administrator_reaches_the_county_and_no_other(db, alpha, beta, publicity):
    with schema_context(beta.schema):
        beta_names = _names(User.objects.filter(is_active=True))
    admin = logged_in(alpha.host, "admin")
    found = admin.get("/notifications/recipients/", {"q": "外支部"}).json()["results"]
    assert [r["name"] for r in found] == ["外支部党员"]
    found = admin.get("/notifications/recipients/", {"q": "横山"}).json()["results"]
    assert not {r["name"] for r in found} & beta_names
