"""Two rules the walkthrough found missing: one 书记 (and one 党小组长) per organization at
a time, and an organization is moved, merged or dissolved by the one above it, not by
its own secretary."""

from __future__ import annotations

from datetime import date

import pytest
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.access.models import Post
from tenants.access.scope import Scope, scope_for
from tenants.access.services import post_assign
from tenants.members.models import Member
from tenants.orgs.models import Organization
from tenants.orgs.services import org_dissolve
from tests.conftest import logged_in
from tests.support.world import ALPHA
from zhdj.errors import AccessDenied, ApplicationError

pytestmark = pytest.mark.django_db


def test_a_second_secretary_is_refused_until_the_first_leaves(alpha):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        village = Organization.objects.get(name__endswith="某村党支部")
        other = Member.objects.get(name=f"{ALPHA.name}党员")
        with pytest.raises(ApplicationError, match="书记由李支书担任，请先免去其职务"):
            post_assign(
                scope=Scope.system(),
                org=village,
                member=other,
                post_code="secretary",
                started_at=date(2025, 1, 1),
            )
        # Posts that several people hold at once stay open to several.
        post_assign(
            scope=Scope.system(),
            org=village,
            member=other,
            post_code="member",
            started_at=date(2025, 1, 1),
        )
        assert Post.objects.filter(org=village, ended_at__isnull=True).count() == 2


def test_a_branch_secretary_may_not_dissolve_their_own_branch(alpha):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        village = Organization.objects.get(name__endswith="某村党支部")
        secretary = scope_for(User.objects.get(username="branchsec"))
        with pytest.raises(AccessDenied, match="由上级党组织办理"):
            org_dissolve(
                scope=secretary,
                org=village,
                effective_date=date(2025, 1, 1),
                actor=User.objects.get(username="branchsec"),
                reason="测试",
            )
        pk = village.pk
    client = logged_in(ALPHA.host, "branchsec")
    page = client.get(f"/orgs/{pk}/").content.decode()
    assert "撤销</a>" not in page and "合并</a>" not in page
    for kind in ("move", "merge", "dissolve"):
        assert client.get(f"/orgs/{pk}/{kind}/").status_code == 403
    assert client.get(f"/orgs/{pk}/edit/").status_code == 200  # its own fields stay its own
