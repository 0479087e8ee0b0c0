"""Tests: grading edge cases, shuffling per member, the server's deadline, retakes, the
wrong-answer book, and answers that never reach the client before submission."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tenants.learning import services
from tenants.learning.exams import (
    answer_save,
    attempt_start,
    attempt_submit,
    expire_overdue,
    result_rows,
    shown_questions,
    wrong_answers,
    wrong_book,
)
from tenants.learning.grading import grade, normalise
from tenants.learning.models import AttemptState, LearningEvent, Paper, QuestionKind
from tenants.members.models import Member
from zhdj.errors import AccessDenied, ApplicationError

pytestmark = pytest.mark.django_db
D = Decimal


def test_normalise_fill_in():
    assert normalise(" 为人民服务。") == normalise("为人民服务")
    assert normalise("ＡＢＣ１２３") == normalise("abc123")
    assert normalise("中国 共产党") == normalise("中国共产党")


@pytest.mark.parametrize(
    ("kind", "key", "given", "expected"),
    [
        (QuestionKind.SINGLE, [2], [2], D(2)),
        (QuestionKind.SINGLE, [2], [1], D(0)),
        (QuestionKind.JUDGE, [0], [1], D(0)),
        (QuestionKind.MULTI, [0, 2, 3], [0, 2, 3], D(2)),
        (QuestionKind.MULTI, [0, 2, 3], [0, 2], D(1)),  # fewer, none wrong: 50 %
        (QuestionKind.MULTI, [0, 2, 3], [0, 1], D(0)),  # a wrong option: nothing
        (QuestionKind.MULTI, [0, 2, 3], [0, 1, 2, 3], D(0)),
        (QuestionKind.MULTI, [0, 2, 3], [], D(0)),
        (
            QuestionKind.FILL,
            [["共产主义"], ["为人民服务", "全心全意为人民服务"]],
            ["共产主义", "全心全意为人民服务。"],
            D(2),
        ),
        (QuestionKind.FILL, [["共产主义"], ["为人民服务"]], ["共产主义", "不知道"], D(1)),
    ],
)
def test_grading(kind, key, given, expected):  # type: ignore[no-untyped-def]
    assert grade(kind, key, given, D(2), 50) == expected


def test_partial_share_is_a_rule():
    assert grade(QuestionKind.MULTI, [0, 1, 2], [0], D(3), 0) == D(0)
    assert grade(QuestionKind.MULTI, [0, 1, 2], [0], D(3), 100) == D(3)


def _bank(b):  # type: ignore[no-untyped-def]
    """Four questions of the village branch, tagged 党章."""
    data = [
        {
            "kind": "single",
            "stem": "党的最高理想是？",
            "options": ["小康", "共产主义", "富强"],
            "answer": [1],
        },
        {
            "kind": "multi",
            "stem": "党员的义务包括？",
            "options": ["学习", "纳税", "交纳党费", "服务群众"],
            "answer": [0, 2, 3],
        },
        {"kind": "judge", "stem": "预备党员有表决权。", "answer": [1]},
        {"kind": "fill", "stem": "党的宗旨是（ ）。", "answer": [["全心全意为人民服务"]]},
    ]
    return [
        services.question_create(
            b.sec_scope, b.village, {**d, "tags": ["党章"], "explanation": "见党章"}, b.secretary
        )
        for d in data
    ]


def _paper(b, questions, **extra):  # type: ignore[no-untyped-def]
    now = timezone.now()
    data = {
        "title": "党章知识测试",
        "mode": "fixed",
        "question_ids": [q.pk for q in questions],
        "points": {"single": 25, "multi": 25, "judge": 25, "fill": 25},
        "time_limit_minutes": 30,
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=7),
        **extra,
    }
    paper = services.paper_create(b.sec_scope, b.village, data, b.secretary)
    services.paper_publish(b.sec_scope, paper, True)
    return paper


def _me(b):  # type: ignore[no-untyped-def]
    return Member.objects.get(pk=b.member_scope.member_id)


def _shown_index(attempt, question, original):  # type: ignore[no-untyped-def]
    """Where the member sees option ``original`` (the client answers by shown position)."""
    return attempt.option_orders[str(question.pk)].index(original)


def test_full_attempt_grades_and_passes(b):  # type: ignore[no-untyped-def]
    single, multi, judge, fill = _bank(b)
    paper = _paper(b, [single, multi, judge, fill])
    me = _me(b)
    attempt = attempt_start(me, paper)
    assert attempt.total == D(100)
    # What the member is shown while answering gives away no answer and no explanation.
    shown = json.dumps([asdict(q) for q in shown_questions(attempt)], ensure_ascii=False)
    secrets = [q.explanation for q in (single, multi, judge, fill) if q.explanation]
    assert secrets and fill.answer[0][0] == "全心全意为人民服务"
    assert not any(text in shown for text in [*secrets, "全心全意为人民服务"])
    assert all(not q.given for q in shown_questions(attempt))
    answer_save(me.pk, attempt.pk, single.pk, [_shown_index(attempt, single, 1)])
    answer_save(
        me.pk,
        attempt.pk,
        multi.pk,
        [_shown_index(attempt, multi, 0), _shown_index(attempt, multi, 2)],
    )
    answer_save(me.pk, attempt.pk, judge.pk, [1])
    answer_save(me.pk, attempt.pk, fill.pk, ["全心全意为人民服务"])
    done = attempt_submit(me.pk, attempt.pk)
    assert done.state == AttemptState.SUBMITTED
    assert done.score == D("87.5")  # multi: 2 of 3 right, none wrong → half of 25
    assert done.passed
    assert LearningEvent.objects.filter(member=me, kind="test_passed", ref=str(paper.pk)).exists()
    rows = result_rows(done)
    assert [r.correct for r in rows].count(False) == 1
    assert all(r.explanation == "见党章" for r in rows)
    with pytest.raises(ApplicationError):
        attempt_start(me, paper)  # passed: no retake


def test_answers_kept_across_a_dropped_connection(b):  # type: ignore[no-untyped-def]
    single, *_ = _bank(b)
    paper = _paper(b, [single])
    me = _me(b)
    attempt = attempt_start(me, paper)
    answer_save(me.pk, attempt.pk, single.pk, [0])
    again = attempt_start(me, paper)  # the phone comes back: the same attempt, the answer kept
    assert again.pk == attempt.pk
    assert shown_questions(again)[0].given == [0]


def test_deadline_enforced_by_the_server(b):  # type: ignore[no-untyped-def]
    single, multi, *_ = _bank(b)
    paper = _paper(b, [single, multi], time_limit_minutes=10)
    me = _me(b)
    attempt = attempt_start(me, paper)
    answer_save(me.pk, attempt.pk, single.pk, [_shown_index(attempt, single, 1)])
    late = attempt.deadline + timedelta(seconds=30)
    with pytest.raises(ApplicationError, match="超过作答时间"):
        answer_save(me.pk, attempt.pk, multi.pk, [0], now=late)
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.EXPIRED
    assert attempt.score == D(25)  # what was saved before the deadline counts
    assert attempt.submitted_at == attempt.deadline


def test_overdue_attempts_closed_by_the_beat(b):  # type: ignore[no-untyped-def]
    single, *_ = _bank(b)
    paper = _paper(b, [single], time_limit_minutes=5)
    me = _me(b)
    attempt = attempt_start(me, paper)
    assert expire_overdue(now=attempt.deadline) == 0  # within the grace
    assert expire_overdue(now=attempt.deadline + timedelta(minutes=1)) == 1
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.EXPIRED and attempt.passed is False


def test_submit_after_deadline_is_expired_not_submitted(b):  # type: ignore[no-untyped-def]
    single, *_ = _bank(b)
    paper = _paper(b, [single], time_limit_minutes=5)
    me = _me(b)
    attempt = attempt_start(me, paper)
    done = attempt_submit(me.pk, attempt.pk, now=attempt.deadline + timedelta(minutes=2))
    assert done.state == AttemptState.EXPIRED


def test_deadline_never_after_the_paper_closes(b):  # type: ignore[no-untyped-def]
    single, *_ = _bank(b)
    now = timezone.now()
    paper = _paper(b, [single], closes_at=now + timedelta(minutes=3), time_limit_minutes=60)
    attempt = attempt_start(_me(b), paper)
    assert attempt.deadline == paper.closes_at


def test_retakes_by_rule_and_wrong_book(b):  # type: ignore[no-untyped-def]
    single, multi, *_ = _bank(b)
    paper = _paper(b, [single, multi], max_attempts=2, pass_percent=100)
    me = _me(b)
    first = attempt_start(me, paper)
    answer_save(me.pk, first.pk, single.pk, [_shown_index(first, single, 0)])  # wrong
    attempt_submit(me.pk, first.pk)
    # The multiple-choice question was left blank: not answered right, so in the book too.
    assert {q.pk for q in wrong_book(me)} == {single.pk, multi.pk}
    second = attempt_start(me, paper)
    assert second.number == 2
    answer_save(me.pk, second.pk, single.pk, [_shown_index(second, single, 1)])  # right now
    attempt_submit(me.pk, second.pk)
    assert {q.pk for q in wrong_book(me)} == {multi.pk}
    assert [e.unanswered for e in wrong_answers(me)] == [True]
    with pytest.raises(ApplicationError, match="最多可考 2 次"):
        attempt_start(me, paper)


def test_result_hidden_while_open(b):  # type: ignore[no-untyped-def]
    single, *_ = _bank(b)
    attempt = attempt_start(_me(b), _paper(b, [single]))
    with pytest.raises(ApplicationError, match="交卷后"):
        result_rows(attempt)


def test_random_paper_draws_by_quota_and_shuffles(b):  # type: ignore[no-untyped-def]
    for n in range(12):
        services.question_create(
            b.sec_scope,
            b.village,
            {
                "kind": "single",
                "stem": f"题{n}",
                "options": ["甲", "乙", "丙", "丁"],
                "answer": [0],
                "tags": ["理论"],
            },
            b.secretary,
        )
    paper = _paper(
        b,
        [],
        mode="random",
        question_ids=[],
        quotas=[{"tag": "理论", "kind": "single", "count": 10}],
    )
    me = _me(b)
    attempt = attempt_start(me, paper)
    assert len(attempt.question_ids) == 10
    orders = {tuple(v) for v in attempt.option_orders.values()}
    assert len(orders) > 1  # options shuffled per question (10 draws of 24 orders)
    with pytest.raises(ApplicationError, match="不足"):
        _paper(
            b,
            [],
            mode="random",
            question_ids=[],
            quotas=[{"tag": "理论", "kind": "single", "count": 13}],
        )


def test_bad_answers_refused_in_chinese(b):  # type: ignore[no-untyped-def]
    single, multi, judge, fill = _bank(b)
    paper = _paper(b, [single, multi, judge, fill])
    me = _me(b)
    attempt = attempt_start(me, paper)
    for question, given in (
        (single, [0, 1]),
        (single, [9]),
        (single, "0"),
        (multi, [0, 0]),
        (judge, [2]),
        (fill, ["a", "b"]),
        (single, [True]),
    ):
        with pytest.raises(ApplicationError):
            answer_save(me.pk, attempt.pk, question.pk, given)
    with pytest.raises(ApplicationError, match="不在您的试卷"):
        answer_save(me.pk, attempt.pk, 999999, [0])


def test_other_branch_member_cannot_take_the_paper(b):  # type: ignore[no-untyped-def]
    single, *_ = _bank(b)
    paper = _paper(b, [single])
    other = Member.objects.filter(org=b.other).first()
    with pytest.raises(AccessDenied):
        attempt_start(other, paper)


def test_member_cannot_write_the_bank(b):  # type: ignore[no-untyped-def]
    with pytest.raises(AccessDenied):
        services.question_create(
            b.member_scope, b.village, {"kind": "judge", "stem": "x", "answer": [0]}, b.member
        )
    assert Paper.objects.count() == 0
