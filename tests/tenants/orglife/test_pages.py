"""The pages as people use them: the secretary plans, shows the QR code, marks, opens a
vote, counts and records; the member reads the notice, signs in by the code, votes, asks
leave, comments; the development step 15 takes the counted ballot. Another county and
other roles see nothing of it."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.orglife.models import Attendance, Ballot, Meeting
from tests.conftest import logged_in


def _local(delta: timedelta) -> str:
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


def _village(alpha) -> int:  # type: ignore[no-untyped-def]
    from tenants.orgs.models import Organization

    with schema_context(alpha.schema):
        return Organization.objects.get(name__endswith="某村党支部").pk


def test_a_meeting_from_plan_to_vote_through_the_pages(db, alpha, beta):
    sec = logged_in(alpha.host, "branchsec")
    page = sec.post(
        "/orglife/plan/",
        {
            "org": _village(alpha),
            "type_code": "assembly",
            "title": "",
            "starts_at": _local(timedelta(minutes=-10)),
            "place": "村委会",
            "agenda": "审议方案\n表决",
        },
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    meeting_id = int(re.search(r"/orglife/(\d+)/", page["Location"]).group(1))
    detail = sec.get(page["Location"]).content.decode()
    assert "支部党员大会" in detail and "出席 0 / 应到 3" in detail
    qr = sec.get(f"/orglife/{meeting_id}/qr/").content.decode()
    token = re.search(r'data-url="[^"]*/orglife/checkin/([^/"]+)/"', qr).group(1)

    member = logged_in(alpha.host, "member")
    assert "支部党员大会" in member.get("/orglife/mine/").content.decode()
    assert "确认签到" in member.get(f"/orglife/checkin/{token}/").content.decode()
    assert member.post(f"/orglife/checkin/{token}/").status_code == 302
    assert "已签到" in member.get(f"/orglife/mine/{meeting_id}/").content.decode()

    bad = sec.post(
        f"/orglife/{meeting_id}/ballots/",
        {"ballot-kind": "resolution", "ballot-subject": "", "ballot-mode": "phone"},
    )
    assert bad.status_code == 400 and "请填写表决事项" in bad.content.decode()
    assert (
        sec.post(
            f"/orglife/{meeting_id}/ballots/",
            {
                "ballot-kind": "resolution",
                "ballot-subject": "同意方案",
                "ballot-secret": "on",
                "ballot-mode": "phone",
            },
        ).status_code
        == 302
    )
    with schema_context(alpha.schema):
        ballot = Ballot.objects.get(meeting_id=meeting_id)
    assert "同意方案" in member.get("/orglife/mine/").content.decode()
    assert member.post(f"/orglife/ballots/{ballot.pk}/vote/", {"choice": "yes"}).status_code == 302
    again = member.post(f"/orglife/ballots/{ballot.pk}/vote/", {"choice": "no"})
    assert again.status_code == 400 and "不能重复投票" in again.content.decode()
    assert sec.post(f"/orglife/{meeting_id}/attendance/", {"present": []}).status_code == 302
    counted = sec.post(f"/orglife/{meeting_id}/ballots/{ballot.pk}/count/")
    assert counted.status_code == 302
    result = sec.get(f"/orglife/{meeting_id}/").content.decode()
    assert "未通过" in result  # nobody marked present after the secretary cleared the list

    empty = sec.post(f"/orglife/{meeting_id}/record/", {"minutes": ""})
    assert empty.status_code == 400 and "会议记录" in empty.content.decode()
    assert (
        sec.post(f"/orglife/{meeting_id}/record/", {"minutes": "审议了方案。"}).status_code == 302
    )
    assert sec.post(f"/orglife/{meeting_id}/review/").status_code == 302
    assert "已审核归档" in sec.get(f"/orglife/{meeting_id}/").content.decode()

    # Another county's people and the wrong roles see nothing of it.
    assert logged_in(beta.host, "branchsec").get(f"/orglife/{meeting_id}/").status_code == 404
    assert logged_in(beta.host, "member").get(f"/orglife/checkin/{token}/").status_code == 404
    assert member.get(f"/orglife/{meeting_id}/").status_code == 403
    assert logged_in(alpha.host, "admin").get("/orglife/compliance/").status_code == 200


def test_a_member_asks_leave_and_comments_on_the_phone_pages(db, alpha):
    sec = logged_in(alpha.host, "branchsec")
    sec.post(
        "/orglife/plan/",
        {
            "org": _village(alpha),
            "type_code": "theme_day",
            "starts_at": _local(timedelta(days=2)),
            "agenda": "学习\n交流",
        },
    )
    with schema_context(alpha.schema):
        meeting = Meeting.objects.get()
    member = logged_in(alpha.host, "member")
    empty = member.post(f"/orglife/mine/{meeting.pk}/leave/", {"reason": ""})
    assert empty.status_code == 400
    assert member.post(f"/orglife/mine/{meeting.pk}/leave/", {"reason": "出差"}).status_code == 302
    assert (
        member.post(
            f"/orglife/{meeting.pk}/comment/", {"body": "建议多联系实际", "item": "2"}
        ).status_code
        == 302
    )
    page = sec.get(f"/orglife/{meeting.pk}/").content.decode()
    assert "出差" in page and "建议多联系实际" in page
    with schema_context(alpha.schema):
        row = Attendance.objects.get(meeting=meeting, leave="asked")
    assert (
        sec.post(
            f"/orglife/{meeting.pk}/leave/{row.pk}/", {"decision": "approve", "excused": "1"}
        ).status_code
        == 302
    )
    assert "准假" in member.get(f"/orglife/mine/{meeting.pk}/").content.decode()
