"""Organizational life in Chromium (issue 19): the secretary plans a 支部党员大会 on a
desktop, opens a secret vote and shows the sign-in QR code; the member, on a phone
(390×844), opens the code's address, signs in, votes and comments; the secretary counts,
records, uploads and locks. A second meeting: leave, a written opinion, cancelling, a
ballot counted in the room, and the filters. Each form stores what was typed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.members.models import Member
from tenants.notifications.models import Notification
from tenants.orglife.history import meeting_on_record
from tenants.orglife.models import (
    Appraisal,
    AppraisalEntry,
    Attendance,
    Ballot,
    Meeting,
    MeetingFile,
)
from tenants.orglife.voting import ballot_open
from tenants.orgs.models import Organization
from tests.e2e.conftest import assert_fits_phone, login, pick, url
from tests.e2e.test_form_roundtrip import orm, submit
from tests.support.threads import in_thread
from tests.support.world import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _clean() -> None:
    Appraisal.objects.all().delete()
    Ballot.objects.all().delete()
    MeetingFile.objects.all().delete()
    Meeting.objects.all().delete()
    Notification.objects.filter(title__startswith=("会议")).delete()


@pytest.fixture
def clean(live_server_port, committed, alpha) -> Iterator[None]:  # type: ignore[no-untyped-def]
    def run() -> None:
        with schema_context(alpha.schema):
            _clean()

    in_thread(run)
    yield
    in_thread(run)


def _local(delta: timedelta) -> str:
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


def test_plan_sign_in_by_qr_vote_on_a_phone_count_record_lock(
    page_factory, live_server_port, clean, alpha
):
    port, host = live_server_port, alpha.host
    sec = page_factory()
    login(sec, port, host, "branchsec", PASSWORD)
    sec.goto(url(port, host, "/orglife/plan/"))
    pick(sec, "#id_org", "某村", "某村党支部")
    sec.select_option("#id_type_code", "assembly")
    sec.fill("#id_title", "支部党员大会：审议村集体经济方案")
    typed = _local(timedelta(minutes=-5))
    sec.fill("#id_starts_at", typed)
    sec.fill("#id_place", "村党群服务中心")
    sec.fill("#id_agenda", "审议方案\n表决")
    submit(sec, "保存并通知")
    sec.wait_for_url(re.compile(r".*/orglife/\d+/$"))
    meeting_id = int(re.search(r"/orglife/(\d+)/$", sec.url).group(1))
    meeting = orm(alpha.schema, lambda: Meeting.objects.get(pk=meeting_id))
    assert timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M") == typed
    assert (meeting.title, meeting.place, meeting.agenda) == (
        "支部党员大会：审议村集体经济方案",
        "村党群服务中心",
        "审议方案\n表决",
    )
    assert orm(alpha.schema, lambda: Attendance.objects.filter(meeting_id=meeting_id).count()) == 3

    sec.select_option("#id_ballot-kind", "resolution")
    sec.fill("#id_ballot-subject", "同意村集体经济方案")
    assert sec.is_checked("#id_ballot-secret")
    sec.select_option("#id_ballot-mode", "phone")
    submit(sec, "发起表决")
    ballot = orm(alpha.schema, lambda: Ballot.objects.get(meeting_id=meeting_id))
    assert (ballot.subject, ballot.secret, ballot.expected) == ("同意村集体经济方案", True, 3)

    sec.goto(url(port, host, f"/orglife/{meeting_id}/qr/"))
    code_url = sec.get_attribute("[data-testid=checkin-qr]", "data-url")
    assert "/orglife/checkin/" in code_url

    phone = page_factory(phone=True)
    login(phone, port, host, "member", PASSWORD)
    phone.goto(
        url(
            port,
            host,
            code_url.split(host, 1)[1].split(":", 1)[-1].split("/", 1)[-1].join(["/", ""]),
        )
    )
    assert_fits_phone(phone)
    with phone.expect_navigation():
        phone.get_by_test_id("checkin-button").click()
    assert "已签到" in phone.inner_text("[data-testid=my-state]")
    phone.get_by_label("赞成").check()
    with phone.expect_navigation():
        phone.get_by_test_id("vote-button").click()
    assert "您已投票" in phone.inner_text("[data-testid=voted]")
    phone.fill("#id_body", "同意，建议公开账目")
    phone.select_option("#id_item", "1")
    submit(phone, "发表")
    assert "建议公开账目" in phone.inner_text("main")
    assert_fits_phone(phone)

    sec.goto(url(port, host, f"/orglife/{meeting_id}/"))
    assert "出席 1 / 应到 3" in sec.inner_text("[data-testid=attendance-figures]")
    submit(sec, "计票")
    closed = orm(alpha.schema, lambda: Ballot.objects.get(pk=ballot.pk))
    assert (closed.present, closed.yes, closed.passed) == (1, 1, False)  # 1 of 3: no quorum
    assert "未通过" in sec.inner_text("[data-testid=ballot-result]")
    sec.fill("#id_minutes", "审议了村集体经济方案；到会人数不足，表决未通过，择期再议。")
    submit(sec, "保存会议记录")
    sec.select_option("#id_file-kind", "photo")
    sec.set_input_files(
        "#id_file-file", {"name": "会场.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    submit(sec, "上传")
    files = orm(
        alpha.schema, lambda: list(MeetingFile.objects.values_list("original_name", "kind"))
    )
    assert files == [("会场.pdf", "photo")]
    small = page_factory(phone=True)  # the secretary runs the meeting from a phone too
    login(small, port, host, "branchsec", PASSWORD)
    small.goto(url(port, host, f"/orglife/{meeting_id}/"))
    assert_fits_phone(small)
    submit(sec, "审核归档")
    assert "已审核归档" in sec.inner_text("[data-testid=meeting-status]")
    locked = orm(alpha.schema, lambda: Meeting.objects.get(pk=meeting_id))
    assert locked.minutes.startswith("审议了村集体经济方案") and locked.status == "locked"


def _second(schema: str) -> tuple[int, int, int]:
    """A 主题党日 in two days (for leave, opinion, cancelling) and yesterday's 支部党员大会
    with a ballot counted in the room."""
    with schema_context(schema):
        village = Organization.objects.get(name__endswith="某村党支部")
        from tenants.access.scope import Scope
        from tenants.orglife.services import meeting_plan

        theme = meeting_plan(
            scope=Scope.system(),
            org=village,
            type_code="theme_day",
            starts_at=timezone.now() + timedelta(days=2),
            actor=None,
        )
        held = meeting_on_record(village, timezone.localdate() - timedelta(days=1), absent=1)
        ballot = ballot_open(
            scope=Scope.system(),
            meeting=held,
            kind="resolution",
            subject="现场表决",
            mode="counted",
            actor=None,
        )
        return theme.pk, held.pk, ballot.pk


def test_leave_opinion_cancel_and_a_ballot_counted_in_the_room(
    page_factory, live_server_port, clean, alpha
):
    port, host = live_server_port, alpha.host
    theme_id, held_id, ballot_id = in_thread(lambda: _second(alpha.schema))
    phone = page_factory(phone=True)
    login(phone, port, host, "member", PASSWORD)
    phone.goto(url(port, host, "/orglife/mine/"))
    phone.get_by_role("link", name=re.compile("主题党日")).first.click()
    phone.fill("#id_reason", "到县城参加培训")
    submit(phone, "提交请假")
    phone.fill("#id_opinion", "同意学习安排，培训结束后补学")
    submit(phone, "提交书面意见")
    mine = orm(
        alpha.schema,
        lambda: Attendance.objects.get(meeting_id=theme_id, member__user__username="member"),
    )
    assert (mine.leave, mine.leave_reason, mine.opinion) == (
        "asked",
        "到县城参加培训",
        "同意学习安排，培训结束后补学",
    )
    assert_fits_phone(phone)

    sec = page_factory()
    login(sec, port, host, "branchsec", PASSWORD)
    sec.goto(url(port, host, f"/orglife/{theme_id}/"))
    sec.check("input[name=excused]")
    submit(sec, "准假")
    row = orm(alpha.schema, lambda: Attendance.objects.get(pk=mine.pk))
    assert (row.leave, row.excused) == ("approved", True)
    sec.fill("#id_cancel-reason", "与上级会议时间冲突")
    submit(sec, "取消会议并通知")
    theme = orm(alpha.schema, lambda: Meeting.objects.get(pk=theme_id))
    assert (theme.status, theme.cancel_reason) == ("cancelled", "与上级会议时间冲突")

    sec.goto(url(port, host, f"/orglife/{held_id}/"))
    sec.fill(f"#id_b{ballot_id}-yes", "2")
    sec.fill(f"#id_b{ballot_id}-no", "1")
    sec.fill(f"#id_b{ballot_id}-written", "1")
    submit(sec, "计票")
    counted = orm(alpha.schema, lambda: Ballot.objects.get(pk=ballot_id))
    assert (counted.yes, counted.no, counted.written, counted.present, counted.passed) == (
        2,
        1,
        1,
        2,
        True,
    )
    sec.goto(url(port, host, "/orglife/"))
    sec.select_option("#id_type", "assembly")
    with sec.expect_navigation():
        sec.get_by_role("button", name="筛选").click()
    assert "支部党员大会" in sec.inner_text("[data-testid=meeting-rows]")
    sec.goto(url(port, host, "/orglife/compliance/"))
    sec.fill("#id_year", str(timezone.localdate().year))
    with sec.expect_navigation():
        sec.get_by_role("button", name="查看").click()
    assert "某村党支部" in sec.inner_text("[data-testid=compliance-rows]")


def _appraisal_world(schema: str) -> int:
    """A 支部党员大会 yesterday (for the vote on the grades)."""
    with schema_context(schema):
        village = Organization.objects.get(name__endswith="某村党支部")
        return meeting_on_record(village, timezone.localdate() - timedelta(days=1)).pk


def _others_review_and_vote(schema: str, appraisal_id: int, stage: str) -> None:
    from tenants.orglife.appraisal import peer_review
    from tenants.orglife.models import Appraisal, AppraisalEntry
    from tenants.orglife.voting import ballot_cast

    with schema_context(schema):
        appraisal = Appraisal.objects.get(pk=appraisal_id)
        ids = list(
            AppraisalEntry.objects.filter(appraisal=appraisal).values_list("member_id", flat=True)
        )
        mine = Member.objects.get(user__username="member").pk
        if stage == "review":
            for rater in ids:
                if rater != mine:
                    peer_review(appraisal=appraisal, member_id=rater,
                                grades={m: "qualified" for m in ids if m != rater})  # fmt: skip
        else:
            for voter in ids:
                ballot_cast(ballot=appraisal.ballot, member_id=voter, choice="yes")


def test_democratic_appraisal_through_the_pages(page_factory, live_server_port, clean, alpha):
    port, host = live_server_port, alpha.host
    meeting_id = in_thread(lambda: _appraisal_world(alpha.schema))
    sec = page_factory()
    login(sec, port, host, "branchsec", PASSWORD)
    sec.goto(url(port, host, "/orglife/appraisals/"))
    pick(sec, "#id_org", "某村", "某村党支部")
    sec.select_option("#id_year", str(timezone.localdate().year))
    submit(sec, "开始并通知参评党员")
    appraisal = orm(alpha.schema, Appraisal.objects.get)
    assert orm(alpha.schema, AppraisalEntry.objects.count) == 3

    phone = page_factory(phone=True)
    login(phone, port, host, "member", PASSWORD)
    phone.goto(url(port, host, f"/orglife/appraisals/{appraisal.pk}/mine/"))
    phone.fill("#id_text", "一年来按时参加组织生活，按时交纳党费；学习还不够深入。")
    submit(phone, "保存自评")
    for select in phone.locator("[data-testid=peer-form] select").all():
        select.select_option("qualified")
    submit(phone, "提交互评")
    assert "您已参加互评" in phone.inner_text("[data-testid=peer-done]")
    assert_fits_phone(phone)
    mine = orm(alpha.schema, lambda: AppraisalEntry.objects.get(member__user__username="member"))
    assert mine.self_assessment == "一年来按时参加组织生活，按时交纳党费；学习还不够深入。"
    in_thread(lambda: _others_review_and_vote(alpha.schema, appraisal.pk, "review"))

    sec.goto(url(port, host, f"/orglife/appraisals/{appraisal.pk}/"))
    selects = sec.locator("[data-testid=propose-form] select").all()
    for n, select in enumerate(selects):
        select.select_option(["excellent", "qualified", "unqualified"][n])
    submit(sec, "保存评定意见")
    sec.select_option("#id_meeting", str(meeting_id))
    submit(sec, "发起表决")
    in_thread(lambda: _others_review_and_vote(alpha.schema, appraisal.pk, "vote"))
    sec.goto(url(port, host, f"/orglife/{meeting_id}/"))
    submit(sec, "计票")
    sec.goto(url(port, host, f"/orglife/appraisals/{appraisal.pk}/"))
    sec.locator("[data-testid=decide-form] select").first.select_option("correct")
    sec.locator("[data-testid=decide-form] input[type=text]").first.fill("限三个月内改正")
    submit(sec, "确定评议结果")
    rows = orm(
        alpha.schema,
        lambda: sorted(
            AppraisalEntry.objects.values_list("proposed", "grade", "handling", "handling_note")
        ),
    )
    assert rows == sorted(
        [
            ("excellent", "excellent", "", ""),
            ("qualified", "qualified", "", ""),
            ("unqualified", "unqualified", "correct", "限三个月内改正"),
        ]
    )
