"""Plan → notice → sign-in → record → review (domain-rules §4): the roster decides who is
expected, the notice reaches each of them, the QR sign-in and the secretary's marks, leave,
written opinions and the discussion, the backfill window, and the lock after review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tenants.access.scope import Scope, scope_for
from tenants.members.models import Member
from tenants.notifications.models import Notification
from tenants.orglife.models import Attendance, MeetingStatus
from tenants.orglife.services import (
    attendance_check_in,
    attendance_mark,
    comment_add,
    comments_of,
    leave_decide,
    leave_request,
    meeting_file_add,
    meeting_plan,
    meeting_record,
    meeting_review,
    opinion_leave,
)
from tenants.orgs.models import Organization
from tenants.orgs.services import org_create
from tenants.rules.selectors import rule_value
from zhdj.errors import AccessDenied, ApplicationError
from zhdj.uploads import Upload


def _plan(b, *, hours: float = 48, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("type_code", "theme_day")
    return meeting_plan(
        scope=b.sec_scope,
        org=kw.pop("org", b.village),
        starts_at=timezone.now() + timedelta(hours=hours),
        agenda="学习文件\n交流发言",
        actor=b.secretary,
        **kw,
    )


def test_planning_computes_the_expected_from_the_roster_and_notifies_them(b):
    meeting = _plan(b)
    names = set(meeting.attendances.values_list("member__name", flat=True))
    assert names == set(Member.objects.filter(org=b.village).values_list("name", flat=True))
    told = set(
        Notification.objects.filter(title__startswith="会议通知").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"branchsec", "townsec", "member"}


def test_a_committee_meeting_expects_the_committee_only(b):
    meeting = _plan(b, type_code="committee")
    assert list(meeting.attendances.values_list("member__name", flat=True)) == ["李支书"]


def test_a_group_meeting_is_held_by_a_group_and_expects_its_branch(b):
    with pytest.raises(ApplicationError, match="党小组会由党小组召开"):
        _plan(b, type_code="group")
    group = org_create(
        scope=Scope.system(),
        parent=Organization.objects.get(pk=b.village.pk),
        name="第一党小组",
        type_code="group",
    )
    meeting = _plan(b, type_code="group", org=Organization.objects.get(pk=group.pk))
    assert meeting.attendances.count() == Member.objects.filter(org=b.village).count()


def test_a_lecture_names_its_lecturer(b):
    with pytest.raises(ApplicationError, match="授课人"):
        _plan(b, type_code="lecture")


def test_a_member_or_another_branch_cannot_plan(b):
    with pytest.raises(AccessDenied):
        _plan(b, org=b.other)
    with pytest.raises(AccessDenied):
        meeting_plan(
            scope=b.member_scope,
            org=b.village,
            type_code="theme_day",
            starts_at=timezone.now() + timedelta(days=1),
            actor=b.member,
        )


def test_past_meetings_only_within_the_backfill_window(b):
    with pytest.raises(ApplicationError, match="补录"):
        _plan(b, hours=-24 * 31)
    meeting = _plan(b, hours=-24 * 29)
    assert not Notification.objects.filter(title__contains=meeting.title).exists()


def test_qr_sign_in_for_the_expected_within_its_window(b):
    window = rule_value("orglife.checkin_opens_hours")
    meeting = _plan(b, hours=window - 1)
    me = b.member_scope.member_id
    row = attendance_check_in(token=meeting.checkin_token, member_id=me)
    first = row.signed_at
    assert row.present and row.method == "qr"
    assert attendance_check_in(token=meeting.checkin_token, member_id=me).signed_at == first
    with pytest.raises(AccessDenied):
        attendance_check_in(token=meeting.checkin_token, member_id=b.member_id("赵其他"))
    with pytest.raises(ApplicationError, match="二维码无效"):
        attendance_check_in(token="forged", member_id=me)
    later = _plan(b, hours=window + 1)
    with pytest.raises(ApplicationError, match="签到将于"):
        attendance_check_in(token=later.checkin_token, member_id=me)
    with pytest.raises(ApplicationError, match="会议当天已过"):
        attendance_check_in(
            token=meeting.checkin_token, member_id=me, now=timezone.now() + timedelta(days=2)
        )


def test_the_qr_window_is_the_countys_rule(b, county_rule):
    me = b.member_scope.member_id
    meeting = _plan(b, hours=5)
    with pytest.raises(ApplicationError, match="签到将于"):
        attendance_check_in(token=meeting.checkin_token, member_id=me)
    county_rule("orglife.checkin_opens_hours", "6")
    assert attendance_check_in(token=meeting.checkin_token, member_id=me).present
    county_rule("orglife.checkin_opens_hours", "0")
    with pytest.raises(ApplicationError, match="签到将于"):
        attendance_check_in(token=_plan(b, hours=0.5).checkin_token, member_id=me)


def test_the_secretary_marks_who_came(b):
    meeting = _plan(b, hours=-1)
    me = b.member_scope.member_id
    assert attendance_mark(scope=b.sec_scope, meeting=meeting, present_ids={me}, actor=None) == 1
    assert Attendance.objects.get(meeting=meeting, member_id=me).method == "marked"
    with pytest.raises(ApplicationError, match="尚未开始"):
        attendance_mark(scope=b.sec_scope, meeting=_plan(b), present_ids={me}, actor=None)


def test_leave_and_its_approval_with_the_expected_count(b):
    meeting = _plan(b)
    me = b.member_scope.member_id
    with pytest.raises(ApplicationError, match="请假事由"):
        leave_request(meeting=meeting, member_id=me, reason=" ")
    row = leave_request(meeting=meeting, member_id=me, reason="出差")
    row = leave_decide(scope=b.sec_scope, attendance=row, approve=True, excused=True, actor=None)
    assert (row.leave, row.excused) == ("approved", True)
    with pytest.raises(AccessDenied):
        leave_decide(scope=b.member_scope, attendance=row, approve=False, actor=None)


def test_discussion_and_opinions_are_for_the_expected_only(b):
    meeting = _plan(b)
    comment_add(scope=b.member_scope, meeting=meeting, body="同意", item=2)
    outsider = Scope(None, False, b.member_id("赵其他"))
    assert not comments_of(outsider, meeting).exists()
    with pytest.raises(AccessDenied):
        comment_add(scope=outsider, meeting=meeting, body="我也说")
    with pytest.raises(ApplicationError, match="议程不存在"):
        comment_add(scope=b.member_scope, meeting=meeting, body="x", item=9)
    opinion_leave(meeting=meeting, member_id=b.member_scope.member_id, text="同意议程")
    with pytest.raises(AccessDenied):
        opinion_leave(meeting=meeting, member_id=b.member_id("赵其他"), text="x")


def test_the_materials_size_limit_is_the_countys_rule(b, county_rule):
    meeting = _plan(b)
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024) + b"\n%%EOF\n"  # just over 1 MB

    def add() -> None:
        upload = Upload("学习材料", SimpleUploadedFile("材料.pdf", big))
        meeting_file_add(
            scope=b.sec_scope, meeting=meeting, kind="material", upload=upload, actor=None
        )

    add()  # within the city default
    county_rule("orglife.material_max_mb", "1")
    with pytest.raises(ApplicationError, match="超过 1 MB"):
        add()
    assert meeting.files.count() == 1


def test_record_then_review_locks_everything(b):
    meeting = _plan(b)
    with pytest.raises(ApplicationError, match="尚未召开"):
        meeting_record(scope=b.sec_scope, meeting=meeting, minutes="x", actor=None)
    meeting = _plan(b, hours=-2)
    with pytest.raises(ApplicationError, match="只能审核已召开"):
        meeting_review(scope=b.sec_scope, meeting=meeting, actor=None)
    pdf = SimpleUploadedFile("照片.pdf", b"%PDF-1.4\n%%EOF\n")
    meeting_file_add(
        scope=b.sec_scope, meeting=meeting, kind="photo", upload=Upload("会议照片", pdf), actor=None
    )
    with pytest.raises(ApplicationError, match="不是 PDF"):
        meeting_file_add(
            scope=b.sec_scope,
            meeting=meeting,
            kind="material",
            upload=Upload("学习材料", SimpleUploadedFile("a.pdf", b"MZ not a pdf")),
            actor=None,
        )
    meeting_record(scope=b.sec_scope, meeting=meeting, minutes="学习了文件。", actor=b.secretary)
    meeting = meeting_review(scope=b.sec_scope, meeting=meeting, actor=b.secretary)
    assert meeting.status == MeetingStatus.LOCKED
    for change in (
        lambda: meeting_record(scope=b.sec_scope, meeting=meeting, minutes="改", actor=None),
        lambda: leave_request(meeting=meeting, member_id=b.member_scope.member_id, reason="x"),
        lambda: attendance_mark(scope=b.sec_scope, meeting=meeting, present_ids=set(), actor=None),
    ):
        with pytest.raises(ApplicationError, match="已审核归档"):
            change()


def test_a_town_secretary_runs_the_villages_meetings_too(b):
    meeting = meeting_plan(
        scope=scope_for(b.townsec),
        org=b.village,
        type_code="theme_day",
        starts_at=timezone.now() + timedelta(days=1),
        actor=b.townsec,
    )
    assert meeting.org_id == b.village.pk
