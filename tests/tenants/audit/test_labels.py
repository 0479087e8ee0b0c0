"""The audit log reads in labels and names (issue 15): a party status change shows
正常 → 停止党籍, a member moved shows the organizations' names, never codes or ids; the
names of a page are resolved in one query per referenced model, not one per row."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.access.scope import scope_for
from tenants.audit.selectors import audit_rows
from tenants.members.models import Member
from tenants.members.services import member_change_status
from tenants.orgs.models import Organization
from tests.conftest import logged_in
from tests.support.world import PASSWORD

pytestmark = pytest.mark.django_db


def test_codes_and_referenced_objects_read_as_labels_and_names(alpha):
    with schema_context(alpha.schema):
        admin = User.objects.get(username="admin")
        member = Member.objects.get(name="赵其他")
        there = Organization.objects.get(name="榆阳区某村党支部")
        Member.objects.filter(pk=member.pk).update(org=there, flowing=True)
        member_change_status(
            scope=scope_for(admin), member=member, action="suspend",
            effective_date=date.today(), reason="测试", actor=admin,
            password=PASSWORD,
        )  # fmt: skip
    connection.set_schema_to_public()
    page = logged_in(alpha.host, "shenji").get("/audit/").content.decode()
    assert "榆阳区另一村党支部 → 榆阳区某村党支部" in page
    assert "正常 → 停止党籍" in page  # on the member, and on the status change record
    assert "否 → 是" in page
    for raw in ("normal", "suspended", "suspend", "False", "True", "#"):
        assert raw not in page.split('data-testid="audit-rows"')[1].split("</tbody>")[0]


def test_names_cost_the_same_queries_for_two_rows_as_for_many(alpha):
    with schema_context(alpha.schema):
        orgs = list(Organization.objects.filter(type_code="branch").order_by("pk"))
        member = Member.objects.get(name="赵其他")
        Member.objects.filter(pk=member.pk).update(org=orgs[0])
        audit_rows("member", limit=2)  # the code tables are cached per process: warm them
        with CaptureQueriesContext(connection) as few:
            audit_rows("member", limit=2)
        for i in range(12):
            Member.objects.filter(pk=member.pk).update(org=orgs[(i + 1) % len(orgs)])
        with CaptureQueriesContext(connection) as many:
            rows = audit_rows("member", limit=12)
        assert all("党支部" in after for r in rows for label, _, after in r.changes
                   if label == "所在党支部")  # fmt: skip
    connection.set_schema_to_public()
    assert len(many) == len(few)
