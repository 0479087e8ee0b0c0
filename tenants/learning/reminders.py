"""Learning reminders (学习提醒), at most a few a year and each sent once: a test closing in
``learning.remind_days_before_close`` days, to the members who may still take it and have
not passed; and on the first day of ``learning.target_remind_month``, to the members whose
class hours this year are short of their target. No daily nudges, no rankings."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.postgres.aggregates import BoolOr
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from shared.standards.models import CodeTable
from shared.standards.selectors import codes_flagged
from tenants.learning.models import Attempt, Paper
from tenants.learning.selectors import target_hours, year_range
from tenants.learning.study import seconds_in, study_rules
from tenants.members.models import Member
from tenants.notifications.services import notification_send, reminder_claim
from tenants.rules.selectors import rule_value


def _on_roll() -> list[Member]:
    statuses = codes_flagged(CodeTable.PARTY_STATUS, "on_roll")
    return list(
        Member.objects.filter(party_status_code__in=statuses, user__is_active=True).select_related(
            "org", "user"
        )
    )


@transaction.atomic
def paper_closing_remind(*, today: date) -> int:
    """Tell the members who have not passed a test closing soon; returns members told."""
    days = int(rule_value("learning.remind_days_before_close"))
    if days <= 0:
        return 0
    end = timezone.make_aware(datetime.combine(today + timedelta(days=days + 1), time.min))
    told = 0
    papers = Paper.objects.filter(published=True, closes_at__gt=timezone.now(), closes_at__lt=end)
    members = _on_roll()
    for paper in papers.select_related("org"):
        if not reminder_claim("learning.test_closing", paper.pk, paper.closes_at.date()):
            continue
        done = _attempt_counts(paper)
        users = [
            m.user
            for m in members
            if m.org.path.startswith(paper.org.path) and _may_still(done.get(m.pk), paper)
        ]
        if users:
            closes = timezone.localtime(paper.closes_at)
            notification_send(
                recipients=users,
                title=f"学习提醒：“{paper.title}”将于{closes:%m月%d日 %H:%M}截止"[:100],
                body="您还没有通过这场考试，截止前仍可参加。",
                url=reverse("learning:mine"),
                sender=None,
            )
            told += len(users)
    return told


def _attempt_counts(paper: Paper) -> dict[int, tuple[int, bool]]:
    """Per member: attempts used and whether one passed."""
    rows = (
        Attempt.objects.filter(paper=paper)
        .values("member_id")
        .annotate(n=Count("pk"), passed=BoolOr("passed"))
    )
    return {r["member_id"]: (r["n"], bool(r["passed"])) for r in rows}


def _may_still(done: tuple[int, bool] | None, paper: Paper) -> bool:
    used, passed = done or (0, False)
    return not passed and used < paper.max_attempts


@transaction.atomic
def target_remind(*, today: date) -> int:
    """On the first day of the reminder month, tell members short of their yearly hours."""
    month = int(rule_value("learning.target_remind_month"))
    if month == 0 or today.month != month or today.day != 1:
        return 0
    if not reminder_claim("learning.target", "county", today.year):
        return 0
    rules = study_rules()
    members = _on_roll()
    seconds = seconds_in([m.pk for m in members], *year_range(today.year))
    told = 0
    for member in members:
        target = target_hours(member)
        hours = rules.hours(seconds.get(member.pk, 0))
        if hours >= target:
            continue
        notification_send(
            recipients=[member.user],
            title=f"学习提醒：今年已学 {hours:g} 学时，目标 {target} 学时",
            body="年度学时按实际学习时长计算，可在“我的学习”中继续学习必修课程。",
            url=reverse("learning:mine"),
            sender=None,
        )
        told += 1
    return told
