"""Learning reminders: a test closing soon, the yearly hours once a year; each sent once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tenants.learning.reminders import paper_closing_remind, target_remind
from tenants.notifications.models import Notification
from tests.support.learning import judge_paper

pytestmark = pytest.mark.django_db


def _closing_paper(b, days: int):  # type: ignore[no-untyped-def]
    now = timezone.now()
    _, paper = judge_paper(
        b.sec_scope, b.village, b.secretary, title="季度测验", stem="对吗", points=5,
        opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=days),
    )  # fmt: skip
    return paper


def test_a_paper_closing_soon_is_told_once(b):  # type: ignore[no-untyped-def]
    _closing_paper(b, 2)
    today = timezone.localdate()
    assert paper_closing_remind(today=today) >= 1
    told = Notification.objects.filter(recipient=b.member, title__contains="季度测验")
    assert told.count() == 1 and "截止" in told.get().title
    assert paper_closing_remind(today=today) == 0
    assert told.count() == 1


def test_a_test_far_from_closing_is_not_told(b):  # type: ignore[no-untyped-def]
    _closing_paper(b, 20)
    assert paper_closing_remind(today=timezone.localdate()) == 0


def test_yearly_hours_reminder_on_the_rules_month_only(b):  # type: ignore[no-untyped-def]
    year = timezone.localdate().year
    assert target_remind(today=date(year, 10, 1)) == 0
    assert target_remind(today=date(year, 11, 2)) == 0
    assert target_remind(today=date(year, 11, 1)) >= 1
    mine = Notification.objects.filter(recipient=b.member, title__startswith="学习提醒：今年已学")
    assert mine.count() == 1 and "目标 32 学时" in mine.get().title
    assert target_remind(today=date(year, 11, 1)) == 0
