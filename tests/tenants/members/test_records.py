from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenants.members.models import FamilyRecord, JobRecord, Member
from tenants.members.record_services import member_completeness
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def _member(alpha):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        return Member.objects.get(user__username="member")


def test_branch_adds_and_removes_extended_records(alpha):
    member = _member(alpha)
    client = logged_in(alpha.host, "branchsec")
    response = client.post(
        f"/members/{member.pk}/records/jobs/add/",
        {
            "unit": "某村村委会",
            "title": "村委委员",
            "started_at": "2021-01-01",
            "ended_at": "",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert "村委委员" in page
    with schema_context(alpha.schema):
        record = JobRecord.objects.get(member=member)
    client.post(f"/members/{member.pk}/records/jobs/{record.pk}/delete/")
    with schema_context(alpha.schema):
        assert not JobRecord.objects.filter(member=member).exists()


def test_record_errors_are_by_field_and_save_nothing(alpha):
    member = _member(alpha)
    client = logged_in(alpha.host, "branchsec")
    bad = client.post(
        f"/members/{member.pk}/records/abroad/add/",
        {
            "destination": "新加坡",
            "reason": "探亲",
            "left_at": "2025-05-01",
            "returned_at": "2025-04-01",
        },
    )
    assert bad.status_code == 200 and "回国日期不能早于开始日期" in bad.content.decode()
    missing = client.post(f"/members/{member.pk}/records/family/add/", {"relation": "配偶"})
    assert missing.status_code == 200 and "该字段是必填项" in missing.content.decode()
    assert client.get(f"/members/{member.pk}/records/nosuch/add/").status_code == 404


def test_members_cannot_edit_sets_and_other_branches_are_out_of_scope(alpha):
    member = _member(alpha)
    # No post carrying members.edit: refused (403); outside the scope: not found (404).
    assert (
        logged_in(alpha.host, "member").get(f"/members/{member.pk}/records/jobs/add/").status_code
        == 403
    )
    with schema_context(alpha.schema):
        other = Member.objects.get(name="赵其他")
    assert (
        logged_in(alpha.host, "branchsec").get(f"/members/{other.pk}/records/jobs/add/").status_code
        == 404
    )


def test_completeness_counts_filled_items(alpha):
    with schema_context(alpha.schema):
        member = Member.objects.get(user__username="member")
        before = member_completeness(member)
        FamilyRecord.objects.create(member=member, relation="配偶", name="某某")
        assert member_completeness(member) > before
        assert 0 <= before <= 100


def test_a_family_members_name_follows_the_name_rule_and_other_text_refuses_bidi(alpha):
    from tenants.members.record_services import record_form_class

    form = record_form_class("family")
    good = form(
        {"relation": "丈夫", "name": "艾力\u2022库尔班", "work_unit": "", "political_status": ""}
    )
    assert good.is_valid(), good.errors
    assert good.cleaned_data["name"] == "艾力·库尔班"
    bad = form(
        {"relation": "丈\u202e夫", "name": "张三😀", "work_unit": "", "political_status": ""}
    )
    assert not bad.is_valid()
    assert bad.errors["name"] == ["姓名不能含有表情或符号“😀”。"]
    assert bad.errors["relation"] == ["称谓含有不可见的控制字符或格式字符，请删除后重新输入。"]
