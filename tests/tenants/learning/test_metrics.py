"""The city dashboard's learning figures and the beat's closing of overdue attempts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shared.rollups.registry import collection
from shared.rollups.report import derived
from tenants.learning.exams import answer_save, attempt_start
from tenants.learning.metrics import (
    attempts_by_result,
    class_hours,
    members_reaching_target,
    required_completed,
)
from tenants.learning.models import Attempt, AttemptState
from tenants.learning.study import progress_report, session_start
from tenants.learning.tasks import close_overdue_attempts
from tenants.members.models import Member
from tests.support.learning import judge_paper
from tests.tenants.learning.conftest import course_with

pytestmark = pytest.mark.django_db


def test_hours_required_courses_and_test_results(b):  # type: ignore[no-untyped-def]
    me = Member.objects.get(pk=b.member_scope.member_id)
    found = course_with(b)  # one required course of one 180 s video lesson
    start = timezone.now() - timedelta(minutes=10)
    session = session_start(me, found, "phone", now=start)
    for n in range(1, 13):
        progress_report(
            me, session.pk, found, seq=n, position=15 * n, now=start + timedelta(seconds=15 * n)
        )
    now = timezone.now()
    question, paper = judge_paper(
        b.sec_scope, b.village, b.secretary, title="测验", stem="对吗", points=5, minutes=1,
        opens_at=now - timedelta(hours=1),
    )  # fmt: skip
    attempt = attempt_start(me, paper, now=now - timedelta(minutes=30))
    answer_save(me.pk, attempt.pk, question.pk, [0], now=now - timedelta(minutes=30))
    # Nobody submits: the beat closes and grades it on what was saved.
    assert close_overdue_attempts.run() == 1
    assert Attempt.objects.get(pk=attempt.pk).state == AttemptState.EXPIRED
    with collection():
        assert dict(class_hours())[""] == 0  # 180 s is far from one 45-minute class hour
        assert dict(members_reaching_target())[""] == 0
        assert dict(required_completed())[""] == 1
        results = dict(attempts_by_result())
    assert results == {"合格": 1, "不合格": 0}
    figures = derived(
        {
            "learning.attempts_by_result": results,
            "members.total": {"": 4},
            "learning.class_hours": {"": 10},
        }
    )
    assert figures["learning_pass_rate"] == 100.0 and figures["learning_hours"] == 2.5
