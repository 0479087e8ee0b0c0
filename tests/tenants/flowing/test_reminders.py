"""Flowing-member reminders: the report back before it falls due (to the member and the
branch), 失联 members whose time is up (to the branch); each sent once, never daily."""

from __future__ import annotations

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from tenants.access.scope import Scope
from tenants.flowing import services
from tenants.flowing.models import Paper
from tenants.flowing.regions import ABROAD
from tenants.flowing.reminders import lost_contact_remind, report_due_remind
from tenants.members.models import Member
from tenants.notifications.models import Notification
from tests.support.world import PASSWORD

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _away(b, name: str, start, **kw):  # type: ignore[no-untyped-def]
    going = services.Going(
        reason=kw.pop("reason", "work"),
        destination_code=kw.pop("code", "440000"),
        place=kw.pop("place", "深圳市某电子厂"),
        starts_on=start,
        ends_on=start + relativedelta(months=18),
        contact="13800000000",
        paper=kw.pop("paper", Paper.CARD),
    )
    member = Member.objects.get(name__endswith=name)
    return services.outflow_register(
        scope=Scope.system(), member=member, going=going, actor=b.secretary
    )


def _told(user, start: str):  # type: ignore[no-untyped-def]
    return Notification.objects.filter(recipient=user, title__startswith=start)


def test_the_report_back_is_reminded_once_before_it_falls_due(b):  # type: ignore[no-untyped-def]
    # Due in 18 days; 20 days ago it was outside the 30 days of flowing.reminder_days.
    outflow = _away(b, "榆阳区党员", TODAY - relativedelta(months=12) + timedelta(days=18))
    assert report_due_remind(today=TODAY - timedelta(days=20)) == 0
    assert report_due_remind(today=TODAY) == 1
    mine = _told(b.member, "流动党员报告提醒")
    assert mine.count() == 1 and "前向党组织报告" in mine.get().title
    assert "每 12 个月" in mine.get().body
    branch = _told(b.secretary, "流动党员提醒")
    assert branch.count() == 1 and "1 名流动党员报告即将到期" in branch.get().title
    assert "榆阳区党员（广东省）" in branch.get().body
    # Not the next day, nor any day after (no daily nagging).
    assert report_due_remind(today=TODAY + timedelta(days=1)) == 0
    assert report_due_remind(today=TODAY + timedelta(days=40)) == 0
    assert mine.count() == 1 and branch.count() == 1
    # A report moves the due date a year on: that period has its own reminder.
    services.report_back(
        member=outflow.member, on=TODAY, way="电话", note="务工顺利", user=b.member
    )
    assert report_due_remind(today=TODAY + timedelta(days=60)) == 0
    assert report_due_remind(today=TODAY + relativedelta(months=12) - timedelta(days=5)) == 1
    assert mine.count() == 2


def test_abroad_reports_every_half_year(b):  # type: ignore[no-untyped-def]
    _away(
        b, "榆阳区党员", TODAY - relativedelta(months=6) + timedelta(days=10), code=ABROAD,
        place="英国伦敦", reason="study", paper=Paper.ABROAD,
    )  # fmt: skip
    assert report_due_remind(today=TODAY) == 1
    assert "每 6 个月" in _told(b.member, "流动党员报告提醒").get().body


def test_a_lost_member_past_the_deadline_is_told_to_the_branch_once(b):  # type: ignore[no-untyped-def]
    lost = Member.objects.get(name__endswith="榆阳区党员")
    since = TODAY - relativedelta(months=5)
    services.lost_contact_mark(
        scope=b.sec_scope, member=lost, since=since, code="migrant",
        steps="电话、微信、走访家属均未联系上", actor=b.secretary, password=PASSWORD,
    )  # fmt: skip
    assert lost_contact_remind(today=TODAY) == 0  # 停止党籍 due in a month
    due = since + relativedelta(months=6)
    assert lost_contact_remind(today=due) == 1
    told = _told(b.secretary, "失联党员提醒")
    assert told.count() == 1 and "应停止党籍" in told.get().body
    assert "已记录查找 1 次" in told.get().body
    assert lost_contact_remind(today=due + timedelta(days=1)) == 0
    assert lost_contact_remind(today=due + timedelta(days=30)) == 0
    assert told.count() == 1
    assert not _told(b.member, "失联党员提醒").exists()  # the member's login is not told
