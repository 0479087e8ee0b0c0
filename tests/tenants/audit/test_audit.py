"""Audit by the database: every write recorded with who and where, append-only."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django_tenants.utils import schema_context

from tenants.members.models import Member, PersonalDataAccess
from tenants.orgs.models import Organization
from tests.conftest import logged_in
from tests.support.world import PASSWORD

pytestmark = pytest.mark.django_db

MemberEvent = apps.get_model("members", "MemberEvent")


def test_a_page_edit_is_recorded_with_user_url_and_diff(alpha):
    client = logged_in(alpha.host, "admin")
    with schema_context(alpha.schema):
        member = Member.objects.get(name="赵其他")
        before = MemberEvent.objects.filter(pgh_obj_id=member.pk).count()
    form = {
        "org": member.org_id,
        "name": "赵其他",
        "id_number": member.id_number,
        "sex": "",
        "birth_date": "",
        "ethnicity_code": "01",
        "education_code": "21",
        "category_code": "full",
        "joined_at": str(member.joined_at),
        "full_member_at": str(member.full_member_at),
        "job_title": "村会计",
        "occupation_code": "",
        "phone": member.phone,
        "landline": "",
        "address": member.address,
    }
    assert client.post(f"/members/{member.pk}/edit/", form).status_code == 302
    page = logged_in(alpha.host, "shenji").get("/audit/?kind=member").content.decode()
    assert "工作岗位" in page and "村会计" in page and "榆阳区管理员" in page
    with schema_context(alpha.schema):
        events = MemberEvent.objects.filter(pgh_obj_id=member.pk).order_by("pgh_id")
        assert events.count() == before + 1
        event = events.last()
        assert event.pgh_context.metadata["url"] == f"/members/{member.pk}/edit/"
        assert event.job_title == "村会计"


def test_bulk_updates_are_recorded_too(alpha):
    with schema_context(alpha.schema):
        before = MemberEvent.objects.count()
        changed = Member.objects.filter(name="赵其他").update(job_title="批量修改")
        assert MemberEvent.objects.count() == before + changed


def test_audit_rows_cannot_be_changed_or_deleted(alpha):
    with schema_context(alpha.schema):
        event = MemberEvent.objects.first()
        with pytest.raises(ProgrammingError, match="pgtrigger"), transaction.atomic():
            MemberEvent.objects.filter(pk=event.pk).update(name="篡改")
        with pytest.raises(ProgrammingError, match="pgtrigger"), transaction.atomic():
            MemberEvent.objects.filter(pk=event.pk).delete()


def test_read_access_log_is_append_only(alpha):
    client = logged_in(alpha.host, "admin")
    with schema_context(alpha.schema):
        member = Member.objects.get(name="赵其他")
    client.post(
        f"/api/members/{member.pk}/reveal/",
        {"field": "phone", "password": PASSWORD},
        content_type="application/json",
    )
    with schema_context(alpha.schema):
        assert PersonalDataAccess.objects.count() >= 1
        with pytest.raises(ProgrammingError, match="pgtrigger"), transaction.atomic():
            PersonalDataAccess.objects.all().delete()


def test_audit_holds_no_clear_personal_data(alpha):
    with schema_context(alpha.schema):
        member = Member.objects.get(name="赵其他")
        table = MemberEvent._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id_number, phone FROM {table} WHERE pgh_obj_id = %s", [member.pk]
            )
            rows = cursor.fetchall()
    assert rows and all(value.startswith("v1") for row in rows for value in row)


def test_organizations_are_audited_and_only_the_auditor_browses(alpha):
    with schema_context(alpha.schema):
        OrgEvent = apps.get_model("orgs", "OrganizationEvent")
        assert OrgEvent.objects.filter(
            pgh_obj_id=Organization.objects.get_root_nodes().get().pk
        ).exists()
    assert logged_in(alpha.host, "branchsec").get("/audit/").status_code == 403
    assert logged_in(alpha.host, "admin").get("/audit/").status_code == 403  # 三员分立
    assert logged_in(alpha.host, "shenji").get("/audit/?kind=org&page=x").status_code == 200
