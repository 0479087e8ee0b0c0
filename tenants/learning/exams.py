"""Tests (考试): start an attempt, save answers as they are given, submit, grade.

The server keeps the deadline (``Attempt.deadline``: the time limit from the start, never
after the paper closes) and refuses answers after it (with the rule's few seconds of grace
for the network); an attempt left open is graded by the beat (``expire_overdue``) or when
it is next opened. Questions and options are shuffled per member; the client gets the
options in its own order and answers by that order, which the server maps back. The
correct answer and the explanation are given only with the result of a submitted attempt.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from shared.rollups.dirty import rollup_mark_dirty
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.learning.catalogue import ancestor_paths
from tenants.learning.grading import JUDGE_OPTIONS, grade
from tenants.learning.models import (
    Attempt,
    AttemptAnswer,
    AttemptState,
    LearningEvent,
    Paper,
    Question,
    QuestionKind,
)
from tenants.members.models import Member
from tenants.rules.selectors import rule_value
from zhdj.errors import AccessDenied, ApplicationError

MAX_FILL_CHARS = 200
_random = secrets.SystemRandom()


def bank_for(paper_org: Any) -> Any:
    """Questions a paper of ``paper_org`` may use: those of its organization and of the
    organizations above it (a county's bank serves every branch)."""
    return Question.objects.filter(active=True, org__path__in=ancestor_paths(paper_org))


def member_may_take(member: Member, paper: Paper) -> bool:
    return paper.published and member.org.path.startswith(paper.org.path)


def points_of(paper: Paper, kind: str) -> Decimal:
    return Decimal(str(paper.points.get(kind, 0)))


def draw(paper: Paper) -> list[Question]:
    """The questions of one attempt, in the member's own order."""
    if paper.mode == Paper.Mode.FIXED:
        questions = [item.question for item in paper.items.select_related("question")]
    else:
        questions = []
        taken: set[int] = set()
        for quota in paper.quotas:
            pool = bank_for(paper.org).filter(tags__contains=[quota["tag"]], kind=quota["kind"])
            pool = pool.exclude(pk__in=taken)
            ids = list(pool.values_list("pk", flat=True))
            if len(ids) < int(quota["count"]):
                raise ApplicationError(
                    f"题库中标签“{quota['tag']}”的试题不足 {quota['count']} 道，请联系出题的组织。"
                )
            chosen = _random.sample(ids, int(quota["count"]))
            taken.update(chosen)
        questions = list(Question.objects.filter(pk__in=taken))
    if not questions:
        raise ApplicationError("这份试卷还没有试题。")
    _random.shuffle(questions)
    return questions


def _option_order(question: Question) -> list[int]:
    n = len(question.options)
    order = list(range(n))
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
        _random.shuffle(order)
    return order


def attempt_start(member: Member, paper: Paper, *, now: datetime | None = None) -> Attempt:
    """The member's open attempt of ``paper``, or a new one if the rules allow."""
    now = now or timezone.now()
    if not member_may_take(member, paper):
        raise AccessDenied("这场考试不面向您所在的组织。")
    expire_overdue(paper=paper, member=member, now=now)
    current = Attempt.objects.filter(paper=paper, member=member, state=AttemptState.OPEN).first()
    if current is not None:
        return current
    if now < paper.opens_at:
        raise ApplicationError(
            f"考试将于 {timezone.localtime(paper.opens_at):%Y-%m-%d %H:%M} 开始。"
        )
    if now >= paper.closes_at:
        raise ApplicationError("考试已经截止。")
    done = Attempt.objects.filter(paper=paper, member=member)
    if done.filter(passed=True).exists():
        raise ApplicationError("您已通过这场考试。")
    used = done.count()
    if used >= paper.max_attempts:
        raise ApplicationError(f"这场考试最多可考 {paper.max_attempts} 次，您已用完。")
    questions = draw(paper)
    total = sum((points_of(paper, q.kind) for q in questions), Decimal(0))
    deadline = min(now + timedelta(minutes=paper.time_limit_minutes), paper.closes_at)
    try:
        with transaction.atomic():
            return Attempt.objects.create(
                paper=paper,
                member=member,
                number=used + 1,
                state=AttemptState.OPEN,
                started_at=now,
                deadline=deadline,
                question_ids=[q.pk for q in questions],
                option_orders={str(q.pk): _option_order(q) for q in questions},
                total=total,
            )
    except IntegrityError:  # the same member started twice at once: the first one wins
        return Attempt.objects.get(paper=paper, member=member, state=AttemptState.OPEN)


def grace() -> timedelta:
    return timedelta(seconds=rule_value("learning.grace_seconds"))


def _original(question: Question, order: list[int], given: Any) -> list[Any]:
    """The answer as shown to the member (positions in their option order) → the stored
    answer (original option indexes, or the blanks' texts). Shape errors are refused."""
    if question.kind == QuestionKind.FILL:
        blanks = len(question.answer)
        if not isinstance(given, list) or len(given) != blanks:
            raise ApplicationError(f"这道填空题有 {blanks} 个空。", field="answer")
        texts = [str(t)[:MAX_FILL_CHARS] if t is not None else "" for t in given]
        return texts
    size = len(JUDGE_OPTIONS) if question.kind == QuestionKind.JUDGE else len(order)
    if not isinstance(given, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and 0 <= i < size for i in given
    ):
        raise ApplicationError("所选的选项不存在。", field="answer")
    if len(set(given)) != len(given):
        raise ApplicationError("同一选项选了两次。", field="answer")
    if question.kind != QuestionKind.MULTI and len(given) != 1:
        raise ApplicationError("这道题只能选一项。", field="answer")
    if question.kind == QuestionKind.JUDGE:
        return list(given)
    return sorted(order[i] for i in given)


def _locked(member_id: int, attempt_id: Any) -> Attempt:
    """The member's attempt, locked for this transaction (answers and submission queue)."""
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("paper")
        .filter(pk=attempt_id, member_id=member_id)
        .first()
    )
    if attempt is None:
        raise ApplicationError("答卷不存在。")
    return attempt


def answer_save(
    member_id: int, attempt_id: Any, question_id: int, given: Any, *, now: datetime | None = None
) -> AttemptAnswer:
    """Save (or replace) one answer while the attempt is open and before its deadline (the
    path 2,000 phones take at once: one lock, one question read, one upsert)."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked(member_id, attempt_id)
        if attempt.state != AttemptState.OPEN:
            raise ApplicationError("已经交卷，不能再修改答案。")
        if now > attempt.deadline + grace():
            _finish(attempt, AttemptState.EXPIRED, now)  # kept: the refusal comes after commit
        else:
            return _store(attempt, question_id, given, now)
    raise ApplicationError("已超过作答时间，系统已按已保存的答案自动交卷。")


def _store(attempt: Attempt, question_id: int, given: Any, now: datetime) -> AttemptAnswer:
    if question_id not in attempt.question_ids:
        raise ApplicationError("这道题不在您的试卷中。", field="question")
    question = Question.objects.only("kind", "options", "answer").get(pk=question_id)
    stored = _original(question, attempt.option_orders[str(question_id)], given)
    row = AttemptAnswer(attempt=attempt, question=question, answer=stored, saved_at=now)
    AttemptAnswer.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["attempt", "question"],
        update_fields=["answer", "saved_at"],
    )
    return row


def attempt_submit(member_id: int, attempt_id: Any, *, now: datetime | None = None) -> Attempt:
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked(member_id, attempt_id)
        if attempt.state != AttemptState.OPEN:
            return attempt
        late = now > attempt.deadline + grace()
        _finish(attempt, AttemptState.EXPIRED if late else AttemptState.SUBMITTED, now)
        return attempt


def _finish(attempt: Attempt, state: str, now: datetime) -> None:
    """Grade the saved answers and close the attempt (inside the caller's transaction)."""
    paper = attempt.paper
    partial = rule_value("learning.multi_partial_percent")
    questions = {q.pk: q for q in Question.objects.filter(pk__in=attempt.question_ids)}
    score = Decimal(0)
    for row in attempt.answers.all():
        question = questions[row.question_id]
        full = points_of(paper, question.kind)
        row.points = grade(question.kind, question.answer, row.answer, full, partial)
        row.correct = row.points == full
        row.save(update_fields=["points", "correct"])
        score += row.points
    attempt.state = state
    attempt.submitted_at = min(now, attempt.deadline) if state == AttemptState.EXPIRED else now
    attempt.score = score
    attempt.passed = score * 100 >= attempt.total * paper.pass_percent and attempt.total > 0
    attempt.save(update_fields=["state", "submitted_at", "score", "passed"])
    transaction.on_commit(rollup_mark_dirty)  # the dashboard's pass rate
    if attempt.passed:
        LearningEvent.objects.get_or_create(
            member_id=attempt.member_id, kind=LearningEvent.Kind.TEST_PASSED, ref=str(paper.pk)
        )


def expire_overdue(
    *, paper: Paper | None = None, member: Member | None = None, now: datetime | None = None
) -> int:
    """Grade and close open attempts past their deadline (the beat runs it each minute)."""
    now = now or timezone.now()
    overdue = Attempt.objects.filter(state=AttemptState.OPEN, deadline__lt=now - grace())
    if paper is not None:
        overdue = overdue.filter(paper=paper)
    if member is not None:
        overdue = overdue.filter(member=member)
    closed = 0
    for attempt_id in list(overdue.values_list("pk", flat=True)):
        with transaction.atomic():
            attempt = (
                Attempt.objects.select_for_update(skip_locked=True)
                .select_related("paper")
                .filter(pk=attempt_id, state=AttemptState.OPEN)
                .first()
            )
            if attempt is not None:
                _finish(attempt, AttemptState.EXPIRED, now)
                closed += 1
    return closed


@dataclass(frozen=True)
class ShownQuestion:
    """A question as the member sees it while answering: no answer, no explanation."""

    id: int
    number: int
    kind: str
    kind_name: str
    stem: str
    options: list[str]  # in the member's order
    blanks: int
    given: list[Any]  # the saved answer in the member's order (positions / texts)


def shown_questions(attempt: Attempt) -> list[ShownQuestion]:
    questions = {q.pk: q for q in Question.objects.filter(pk__in=attempt.question_ids)}
    saved = {a.question_id: a.answer for a in attempt.answers.all()}
    shown = []
    for number, qid in enumerate(attempt.question_ids, start=1):
        q = questions[qid]
        order = attempt.option_orders.get(str(qid), [])
        if q.kind == QuestionKind.JUDGE:
            options, given = list(JUDGE_OPTIONS), list(saved.get(qid, []))
        elif q.kind == QuestionKind.FILL:
            options, given = [], list(saved.get(qid, []))
        else:
            options = [q.options[i] for i in order]
            given = sorted(order.index(i) for i in saved.get(qid, []) if i in order)
        shown.append(
            ShownQuestion(
                qid,
                number,
                q.kind,
                q.get_kind_display(),
                q.stem,
                options,
                len(q.answer) if q.kind == QuestionKind.FILL else 0,
                given,
            )
        )
    return shown


@dataclass(frozen=True)
class ResultRow:
    question: ShownQuestion
    right: list[Any]  # the correct answer in the member's order (positions / texts)
    points: Decimal
    full: Decimal
    correct: bool
    explanation: str


def result_rows(attempt: Attempt) -> list[ResultRow]:
    """Each question with the member's answer, the right one and the points: only once the
    attempt is closed."""
    if attempt.state == AttemptState.OPEN:
        raise ApplicationError("交卷后才能查看答案。")
    questions = {q.pk: q for q in Question.objects.filter(pk__in=attempt.question_ids)}
    answers = {a.question_id: a for a in attempt.answers.all()}
    rows = []
    for shown in shown_questions(attempt):
        q = questions[shown.id]
        order = attempt.option_orders.get(str(q.pk), [])
        if q.kind == QuestionKind.FILL:
            right: list[Any] = [" / ".join(alts) for alts in q.answer]
        elif q.kind == QuestionKind.JUDGE:
            right = list(q.answer)
        else:
            right = sorted(order.index(i) for i in q.answer)
        answer = answers.get(q.pk)
        full = points_of(attempt.paper, q.kind)
        points = answer.points if answer is not None and answer.points is not None else Decimal(0)
        rows.append(ResultRow(shown, right, points, full, points == full, q.explanation))
    return rows


@dataclass(frozen=True)
class WrongEntry:
    """A question of the wrong-answer book and the member's last answer to it: the stored
    answer (original option indexes or the blanks' texts), empty when it was left blank."""

    question: Question
    given: list[Any]

    @property
    def unanswered(self) -> bool:
        return not any(self.given)


def wrong_answers(member: Member) -> list[WrongEntry]:
    """Questions the member did not answer right the last time they met them in a closed
    attempt (错题本): answered wrong, or left blank, which grading scores as nothing. A
    question answered right later leaves the book. "Last" is by the attempt's closing."""
    closed = (
        Attempt.objects.filter(member=member)
        .exclude(state=AttemptState.OPEN)
        .order_by("submitted_at", "started_at", "pk")
        .values_list("pk", "question_ids")
    )
    answers = {
        (attempt_id, question_id): (correct, answer)
        for attempt_id, question_id, correct, answer in AttemptAnswer.objects.filter(
            attempt__member=member
        )
        .exclude(attempt__state=AttemptState.OPEN)
        .values_list("attempt_id", "question_id", "correct", "answer")
    }
    latest: dict[int, tuple[bool, list[Any]]] = {}
    for attempt_id, question_ids in closed:
        for question_id in question_ids:
            correct, answer = answers.get((attempt_id, question_id), (False, []))
            latest[question_id] = (bool(correct), list(answer or []))
    wrong = {qid: given for qid, (correct, given) in latest.items() if not correct}
    questions = Question.objects.filter(pk__in=wrong).order_by("kind", "pk")
    return [WrongEntry(q, wrong[q.pk]) for q in questions]


def wrong_book(member: Member) -> list[Question]:
    """The questions of the wrong-answer book (see ``wrong_answers``)."""
    return [entry.question for entry in wrong_answers(member)]


def attempts_left(member: Member, paper: Paper) -> int:
    used = Attempt.objects.filter(paper=paper, member=member).aggregate(n=Count("pk"))["n"]
    return max(paper.max_attempts - used, 0)


def require_manage(scope: Scope, org: Any) -> None:
    scope.require(Perm.LEARNING_MANAGE, org, message="您没有管理该组织学习教育的权限。")


def wrong_entry(question: Question) -> dict[str, Any]:
    """A question of the wrong-answer book with its right answer (asked after the test)."""
    if question.kind == QuestionKind.FILL:
        right = [" / ".join(alts) for alts in question.answer]
        options: list[str] = []
    elif question.kind == QuestionKind.JUDGE:
        options, right = list(JUDGE_OPTIONS), [JUDGE_OPTIONS[i] for i in question.answer]
    else:
        options = list(question.options)
        right = [options[i] for i in question.answer]
    return {
        "id": question.pk,
        "kind": question.kind,
        "kind_display": question.get_kind_display(),
        "stem": question.stem,
        "options": options,
        "right": right,
        "explanation": question.explanation,
    }
