from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from shared.accounts.models import User
from tenants.access.scope import scope_for
from tenants.members.models import Member, MemberStatusChange, PersonalDataAccess
from tenants.members.services import (
    member_change_status,
    member_create,
    member_reveal,
    member_update,
)
from tests.support.world import PASSWORD
from tests.tenants.members.conftest import data
from zhdj.errors import ApplicationError
from zhdj.pii.idnumber import make_id_number


def _refused(scope, d, field: str, fragment: str = "") -> None:  # type: ignore[no-untyped-def]
    before = Member.objects.count()
    with pytest.raises(ApplicationError) as excinfo:
        member_create(scope=scope, data=d)
    errors = excinfo.value.extra.get("errors", {excinfo.value.field: [excinfo.value.message]})
    assert field in errors, errors
    assert any(fragment in m for m in errors[field]), errors[field]
    assert Member.objects.count() == before


def test_a_member_is_created_with_derived_fields_and_search_keys(admin_scope, village):
    member = member_create(scope=admin_scope, data=data(village, sex="", birth_date=None))
    assert member.sex == "female" and member.birth_date == date(1992, 5, 17)
    assert (member.name_pinyin, member.name_initials) == ("zhangsan", "zs")
    assert len(member.id_number_index) == 64 and member.phone_index


def test_personal_values_are_encrypted_in_the_database(admin_scope, village):
    d = data(village)
    member = member_create(scope=admin_scope, data=d)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, address FROM members_member WHERE id = %s", [member.pk]
        )
        row = cursor.fetchone()
    assert all(value.startswith("v1") for value in row)
    assert d.id_number not in "".join(row) and "13912345678" not in "".join(row)
    assert Member.objects.get(pk=member.pk).id_number == d.id_number


def test_id_number_checksum_is_checked(admin_scope, village):
    good = make_id_number("610802", date(1992, 5, 17), 77, "female")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    _refused(admin_scope, data(village, id_number=bad), "id_number", "校验")


def test_sex_and_birth_date_must_agree_with_the_id_number(admin_scope, village):
    _refused(admin_scope, data(village, sex="male"), "sex", "不一致")
    _refused(admin_scope, data(village, birth_date=date(1992, 5, 18)), "birth_date", "不一致")


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"joined_at": date(1990, 1, 1)}, "joined_at", "晚于出生日期"),
        ({"joined_at": date(2009, 7, 1), "full_member_at": date(2010, 7, 1)}, "joined_at", "18"),
        ({"full_member_at": date(2015, 6, 1)}, "full_member_at", "晚于加入"),
        ({"full_member_at": None}, "full_member_at", "须填写"),
        ({"category_code": "probationary"}, "full_member_at", "预备党员"),
        ({"ethnicity_code": "99"}, "ethnicity_code", "代码表"),
        ({"education_code": "zz"}, "education_code", "代码表"),
        ({"phone": "12345"}, "phone", "11 位"),
        ({"name": "  "}, "name", "请填写"),
        ({"joined_at": None}, "joined_at", "请填写"),
    ],
)
def test_bad_records_are_refused_by_field(admin_scope, village, overrides, field, fragment):
    _refused(admin_scope, data(village, **overrides), field, fragment)


def test_under_18_at_joining_is_refused_to_the_day(admin_scope, village):
    birth = date(1997, 7, 2)
    d = data(
        village,
        birth=birth,
        id_sex="male",
        joined_at=date(2015, 7, 1),
        full_member_at=date(2016, 7, 1),
    )
    _refused(admin_scope, d, "joined_at", "18")
    ok = data(
        village,
        birth=date(1997, 7, 1),
        id_sex="male",
        joined_at=date(2015, 7, 1),
        full_member_at=date(2016, 7, 1),
    )
    assert member_create(scope=admin_scope, data=ok).pk


def test_members_belong_to_branches_not_committees(admin_scope, village):
    committee = village.__class__.objects.get(name__endswith="某镇党委")
    _refused(admin_scope, data(committee), "org", "党支部")


def test_the_same_id_number_cannot_be_registered_twice(admin_scope, village):
    member_create(scope=admin_scope, data=data(village))
    _refused(admin_scope, data(village, name="张三二"), "id_number", "已登记")


def test_update_keeps_status_and_rechecks_everything(admin_scope, village):
    member = member_create(scope=admin_scope, data=data(village))
    member_update(scope=admin_scope, member=member, data=data(village, job_title="村主任"))
    member.refresh_from_db()
    assert member.job_title == "村主任" and member.party_status_code == "normal"
    with pytest.raises(ApplicationError):
        member_update(scope=admin_scope, member=member, data=data(village, joined_at=None))


def test_status_changes_are_explicit_actions_with_history(admin_scope, village):
    admin = User.objects.get(username="admin")
    member = member_create(scope=admin_scope, data=data(village))
    today = timezone.localdate()
    member_change_status(
        scope=admin_scope,
        member=member,
        action="suspend",
        effective_date=today,
        reason="长期不参加组织生活",
        actor=admin,
        password=PASSWORD,
    )
    member.refresh_from_db()
    assert member.party_status_code == "suspended"
    with pytest.raises(ApplicationError, match="不能办理"):
        member_change_status(
            scope=admin_scope,
            member=member,
            action="suspend",
            effective_date=today,
            reason="再次",
            actor=admin,
            password=PASSWORD,
        )
    member_change_status(
        scope=admin_scope,
        member=member,
        action="restore",
        effective_date=today,
        reason="恢复",
        actor=admin,
        password=PASSWORD,
    )
    member.refresh_from_db()
    assert member.party_status_code == "normal"
    history = list(MemberStatusChange.objects.filter(member=member).order_by("id"))
    assert [(c.action, c.from_status, c.to_status) for c in history] == [
        ("suspend", "normal", "suspended"),
        ("restore", "suspended", "normal"),
    ]


def test_status_change_needs_reason_date_and_code(admin_scope, village):
    admin = User.objects.get(username="admin")
    member = member_create(scope=admin_scope, data=data(village))
    today = timezone.localdate()
    with pytest.raises(ApplicationError, match="原因"):
        member_change_status(
            scope=admin_scope,
            member=member,
            action="death",
            effective_date=today,
            reason=" ",
            actor=admin,
            password=PASSWORD,
        )
    with pytest.raises(ApplicationError, match="晚于今天"):
        member_change_status(
            scope=admin_scope,
            member=member,
            action="death",
            effective_date=today + timedelta(days=1),
            reason="x",
            actor=admin,
            password=PASSWORD,
        )
    with pytest.raises(ApplicationError, match="失联情形"):
        member_change_status(
            scope=admin_scope,
            member=member,
            action="lost_contact",
            effective_date=today,
            reason="联系不上",
            actor=admin,
            password=PASSWORD,
        )
    member_change_status(
        scope=admin_scope,
        member=member,
        action="lost_contact",
        effective_date=today,
        reason="联系不上",
        actor=admin,
        lost_contact_code="missing",
        password=PASSWORD,
    )
    member.refresh_from_db()
    assert member.lost_contact and member.party_status_code == "normal"


def test_reveal_needs_the_password_and_is_logged(admin_scope, village):
    admin = User.objects.get(username="admin")
    member = member_create(scope=admin_scope, data=data(village))
    with pytest.raises(ApplicationError, match="密码"):
        member_reveal(
            scope=admin_scope,
            member=member,
            field="id_number",
            user=admin,
            password="wrong",
            ip="127.0.0.1",
        )
    assert not PersonalDataAccess.objects.filter(member=member).exists()
    value = member_reveal(
        scope=admin_scope,
        member=member,
        field="id_number",
        user=admin,
        password=PASSWORD,
        ip="127.0.0.1",
    )
    assert value == member.id_number
    log = PersonalDataAccess.objects.get(member=member)
    assert (log.user, log.field) == (admin, "id_number")


def test_only_secretaries_of_the_subtree_may_reveal(in_alpha):
    branchsec = scope_for(User.objects.get(username="branchsec"))
    plain = scope_for(User.objects.get(username="member"))
    own_branch = Member.objects.get(user__username="member")
    elsewhere = Member.objects.get(name="赵其他")
    assert branchsec.may_reveal(own_branch) and not branchsec.may_reveal(elsewhere)
    assert not plain.may_reveal(own_branch)
    with pytest.raises(ApplicationError, match="无权"):
        member_reveal(
            scope=branchsec,
            member=elsewhere,
            field="phone",
            user=User.objects.get(username="branchsec"),
            password=PASSWORD,
            ip=None,
        )
