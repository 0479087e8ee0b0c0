"""Compliance against a fixture of a year of meetings (domain-rules §4): required vs held
by type over the ended periods, the secretary's 党课, materials complete, silent branches,
red/amber/green, the reminders before a period ends and the rollup metrics."""

from __future__ import annotations

from datetime import date, time

from django.utils import timezone

from tenants.access.scope import Scope
from tenants.access.services import post_assign
from tenants.members.models import Member
from tenants.notifications.models import Notification
from tenants.orglife.compliance import compliance
from tenants.orglife.history import meeting_on_record
from tenants.orglife.metrics import branches_by_status, silent_branches
from tenants.orglife.models import Meeting, MeetingStatus
from tenants.orglife.reminders import period_end_remind
from tenants.rules.selectors import rule_value

YEAR = timezone.localdate().year - 1  # a whole year, every period ended
END = date(YEAR, 12, 31)


def _full_year(b) -> None:  # type: ignore[no-untyped-def]
    """某村党支部 keeps every rule in YEAR; 另一村党支部 holds two 支部党员大会 only."""
    village, secretary = b.village, b.member_id("李支书")
    for month in range(1, 13):
        meeting_on_record(
            village, date(YEAR, month, 8), type_code="theme_day", minutes="记", locked=True
        )
    for month in (2, 5, 8, 11):
        meeting_on_record(village, date(YEAR, month, 12), minutes="记", locked=True)
        lecture = meeting_on_record(
            village, date(YEAR, month, 15), type_code="lecture", minutes="记", locked=True
        )
        Meeting.objects.filter(pk=lecture.pk).update(lecturer_id=secretary)
    for code in ("life_meeting", "talk"):
        meeting_on_record(village, date(YEAR, 12, 1), type_code=code, minutes="记", locked=True)
    meeting_on_record(b.other, date(YEAR, 3, 3), minutes="记", locked=True)
    meeting_on_record(b.other, date(YEAR, 6, 3), minutes="记")  # not reviewed: incomplete


def _by_name(rows):  # type: ignore[no-untyped-def]
    return {r.org.name.split("区")[-1].split("县")[-1]: r for r in rows}


def _village(b):  # type: ignore[no-untyped-def]
    return _by_name(compliance(Scope.system(), year=YEAR, today=END + date.resolution))[
        "某村党支部"
    ]


def test_a_year_of_meetings_against_the_rules(b):
    _full_year(b)
    rows = _by_name(compliance(Scope.system(), year=YEAR, today=END + date.resolution * 1))
    village, other = rows["某村党支部"], rows["另一村党支部"]
    lines = {line.type.code: line for line in village.lines}
    assert (lines["theme_day"].required, lines["theme_day"].held) == (12, 12)
    assert (lines["assembly"].required, lines["assembly"].held) == (4, 4)
    assert "committee" not in lines  # a secretary only: no 支委会 required
    assert "group" not in lines  # no 党小组
    assert village.secretary_lectured is True
    assert (village.missing, village.incomplete, village.status) == (0, 0, "green")
    other_lines = {line.type.code: line for line in other.lines}
    assert (other_lines["assembly"].held, other_lines["assembly"].missing) == (2, 2)
    assert other_lines["assembly"].missing_periods == [f"{YEAR}年第3季度", f"{YEAR}年第4季度"]
    assert other.missing == 2 + 4 + 12 + 1 + 1
    assert other.incomplete == 1
    assert other.secretary_lectured is None  # 另一村 has no secretary
    assert other.missing >= rule_value("orglife.red_missing_meetings")
    assert other.status == "red"


def test_the_red_threshold_is_the_countys_rule(b, county_rule):
    _full_year(b)
    Meeting.objects.filter(
        org=b.village, type_code="theme_day", starts_at__month=12, starts_at__year=YEAR
    ).update(status=MeetingStatus.CANCELLED)
    village = _village(b)
    assert (village.missing, village.incomplete, village.status) == (1, 0, "amber")
    county_rule("orglife.red_missing_meetings", "1")
    assert _village(b).status == "red"


def test_the_committee_size_requiring_a_committee_meeting_is_the_countys_rule(b, county_rule):
    _full_year(b)
    member = Member.objects.get(pk=b.member_scope.member_id)
    post_assign(
        scope=Scope.system(),
        org=b.village,
        member=member,
        post_code="organization",
        started_at=date(YEAR - 1, 1, 1),
    )
    assert "committee" not in {line.type.code for line in _village(b).lines}  # 2 of 3
    county_rule("orglife.committee_min_posts", "2")
    village = _village(b)
    lines = {line.type.code: line for line in village.lines}
    assert (lines["committee"].required, lines["committee"].held) == (12, 0)
    assert village.status == "red"


def test_the_current_period_is_in_progress_not_missing(b):
    today = timezone.localdate()
    meeting_on_record(
        b.village, today, type_code="theme_day", at=time(0, 1), minutes="记", locked=True
    )
    rows = _by_name(compliance(Scope.system(), today=today))
    line = next(x for x in rows["某村党支部"].lines if x.type.code == "theme_day")
    assert (line.current_required, line.current_held) == (1, 1)
    assert not rows["某村党支部"].silent
    assert rows["另一村党支部"].silent


def test_a_scope_sees_only_its_branches(b):
    assert [r.org.pk for r in compliance(b.sec_scope)] == [b.village.pk]
    assert compliance(b.member_scope) == []


def test_reminders_before_the_month_ends_once(b):
    today = timezone.localdate()
    end = date(today.year, today.month, 28)
    assert period_end_remind(today=end) >= 1
    told = Notification.objects.filter(title__startswith="组织生活提醒", recipient=b.secretary)
    assert told.count() == 1 and "主题党日" in told.get().body
    period_end_remind(today=end)
    assert told.count() == 1


def test_rollup_metrics_count_branches_by_status(b):
    statuses = dict(branches_by_status())
    assert sum(statuses.values()) == 2
    assert dict(silent_branches())[""] == 2
