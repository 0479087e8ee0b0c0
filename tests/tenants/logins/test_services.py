"""Issuing and running logins: who may, what a login looks like, idempotence, SMS after
commit through the Aliyun double, reset, disable and enable."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.utils import timezone

from shared.accounts.models import User
from tenants.access.scope import Scope
from tenants.development.demo import _uploads
from tenants.development.models import DevelopmentRecord
from tenants.development.person import PersonData
from tenants.development.services import StepInput, record_create
from tenants.logins.services import (
    PRINT,
    SMS,
    login_disable,
    login_enable,
    login_issue,
    login_names,
    login_reset,
    logins_issue_bulk,
)
from tenants.members.models import Member
from tests.tenants.logins.conftest import add_members, new_branch, scope_of
from zhdj.errors import AccessDenied, ApplicationError
from zhdj.pii.idnumber import make_id_number


def zhao() -> Member:
    return Member.objects.select_related("org").get(name="赵其他")


def test_admin_issues_a_login_on_a_slip(in_alpha) -> None:  # type: ignore[no-untyped-def]
    outcome = login_issue(scope=scope_of("admin"), person=zhao(), delivery=PRINT)
    (c,) = outcome.issued
    assert c.username == "zhaoqita" and c.sent is None
    validate_password(c.password)
    user = User.objects.get(username="zhaoqita")
    assert user.role == User.Role.MEMBER and user.must_change_password and user.is_active
    assert user.full_name == "赵其他" and zhao().user_id == user.pk
    assert not user.check_password("") and user.password != c.password  # stored hashed
    assert authenticate(username="zhaoqita", password=c.password) == user


def test_issuing_twice_skips_and_reports(in_alpha) -> None:  # type: ignore[no-untyped-def]
    login_issue(scope=scope_of("admin"), person=zhao())
    again = login_issue(scope=scope_of("admin"), person=zhao())
    assert again.issued == [] and again.skipped == ["赵其他"]
    assert User.objects.filter(full_name="赵其他").count() == 1


def test_a_branch_secretary_issues_only_in_their_branch(in_alpha, village) -> None:  # type: ignore[no-untyped-def]
    secretary = scope_of("branchsec")
    with pytest.raises(AccessDenied):
        login_issue(scope=secretary, person=zhao())
    (mine,) = add_members(village, 1, prefix="新党员")
    assert login_issue(scope=secretary, person=mine).issued[0].username == "xindangyuanling"
    with pytest.raises(AccessDenied):
        logins_issue_bulk(scope=secretary, org=zhao().org)
    assert zhao().user_id is None


def test_an_ordinary_member_may_not(in_alpha, village) -> None:  # type: ignore[no-untyped-def]
    (someone,) = add_members(village, 1, prefix="某人")
    with pytest.raises(AccessDenied):
        login_issue(scope=scope_of("member"), person=someone)
    with pytest.raises(AccessDenied):
        login_disable(
            scope=scope_of("member"), person=Member.objects.get(user__username="branchsec")
        )


def test_login_names_are_pinyin_and_unique_in_the_county(in_alpha) -> None:  # type: ignore[no-untyped-def]
    User.objects.create(username="zhangsan", full_name="张三")
    assert login_names(["张三", "张三", "章三", "李四"]) == [
        "zhangsan2",
        "zhangsan3",
        "zhangsan4",
        "lisi",
    ]
    assert login_names(["𠀀"])[0] != ""


def test_sms_goes_out_after_commit_with_a_working_password(  # type: ignore[no-untyped-def]
    in_alpha, double, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = login_issue(scope=scope_of("admin"), person=zhao(), delivery=SMS)
        assert double.messages == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    (c,) = outcome.issued
    assert c.sent is True
    (sms,) = double.messages
    assert sms.phone == zhao().phone and sms.template_code == "SMS_TESTONLY_LOGIN"
    assert sms.params["login"] == "zhaoqita"
    assert authenticate(username="zhaoqita", password=sms.params["password"]) is not None


def test_sms_needs_a_phone(in_alpha, village) -> None:  # type: ignore[no-untyped-def]
    (nophone,) = add_members(village, 1, prefix="无手机", phone=False)
    with pytest.raises(ApplicationError) as refused:
        login_issue(scope=scope_of("admin"), person=nophone, delivery=SMS)
    assert refused.value.field == "delivery" and "手机号" in refused.value.message


def test_reset_by_the_administrator(in_alpha, double, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    first = login_issue(scope=scope_of("admin"), person=zhao()).issued[0]
    user = User.objects.get(username=first.username)
    user.must_change_password = False
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = login_reset(scope=scope_of("admin"), person=zhao(), delivery=SMS)
    new = outcome.issued[0].password
    assert new != first.password and outcome.issued[0].sent
    assert authenticate(username=first.username, password=first.password) is None
    assert authenticate(username=first.username, password=new) is not None
    assert User.objects.get(pk=user.pk).must_change_password
    (sms,) = double.messages
    assert sms.template_code == "SMS_TESTONLY_RESET" and sms.params["password"] == new


def test_disable_and_enable(in_alpha) -> None:  # type: ignore[no-untyped-def]
    c = login_issue(scope=scope_of("admin"), person=zhao()).issued[0]
    login_disable(scope=scope_of("admin"), person=zhao())
    assert authenticate(username=c.username, password=c.password) is None
    login_enable(scope=scope_of("admin"), person=zhao())
    assert authenticate(username=c.username, password=c.password) is not None


def test_no_account_yet_cannot_be_reset(in_alpha) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ApplicationError, match="还没有登录账号"):
        login_reset(scope=scope_of("admin"), person=zhao())


def test_a_county_admins_login_is_not_run_from_here(in_alpha) -> None:  # type: ignore[no-untyped-def]
    member = Member.objects.get(user__username="member")
    User.objects.filter(username="member").update(role=User.Role.COUNTY_ADMIN)
    with pytest.raises(ApplicationError, match="上级管理员"):
        login_reset(scope=scope_of("admin"), person=member)


def test_an_applicant_gets_an_applicant_login_linked_to_the_record(in_alpha, village) -> None:  # type: ignore[no-untyped-def]
    admin = User.objects.get(username="admin")
    record = record_create(
        scope=scope_of("admin"),
        person=PersonData(
            org=village,
            name="孙申请",
            id_number=make_id_number("610802", date(2001, 3, 3), 460, "male"),
            ethnicity_code="01",
            education_code="21",
            phone="13700002222",
            address="",
        ),
        step=StepInput(
            done_on=timezone.localdate() - timedelta(days=10), uploads=_uploads(1, "孙申请")
        ),
        actor=admin,
    )
    c = login_issue(scope=scope_of("branchsec"), person=record).issued[0]
    user = User.objects.get(username=c.username)
    assert c.username == "sunshenqing" and user.role == User.Role.APPLICANT
    assert DevelopmentRecord.objects.get(pk=record.pk).user_id == user.pk


def test_bulk_issue_is_idempotent_and_reports(
    in_alpha, double, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    branch = new_branch("批量测试党支部")
    add_members(branch, 5, phone=True)
    add_members(branch, 2, prefix="没手机", phone=False, seq_base=100)
    with django_capture_on_commit_callbacks(execute=True):
        first = logins_issue_bulk(scope=scope_of("admin"), org=branch, delivery=SMS, chunk=2)
    assert len(first.issued) == 5 and first.sent == 5 and len(first.no_phone) == 2
    assert len(double.messages) == 5
    with django_capture_on_commit_callbacks(execute=True):
        second = logins_issue_bulk(scope=scope_of("admin"), org=branch, delivery=PRINT)
    assert len(second.skipped) == 5 and len(second.issued) == 2  # the two without a phone
    assert len(double.messages) == 5
    assert Member.objects.filter(org=branch, user__isnull=True).count() == 0


def test_system_scope_can_issue(in_alpha) -> None:  # type: ignore[no-untyped-def]
    assert login_issue(scope=Scope.system(), person=zhao()).issued
