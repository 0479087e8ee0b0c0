"""Writes of the catalogue, the question bank and the papers. Each checks who may do it:
a county's post holders with ``learning.manage`` over the publishing organization; the
city's courses only from the city site (``city_*``: a county page has no way to them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from shared.accounts.models import User
from shared.learning.authoring import (
    assign,
    attach,
    course_fields,
    lesson_fields,
    publishable,
    text,
)
from tenants.access.scope import Scope
from tenants.learning.exams import bank_for, require_manage
from tenants.learning.models import (
    Attempt,
    Course,
    Lesson,
    LessonProgress,
    Paper,
    PaperQuestion,
    Question,
    QuestionKind,
)
from tenants.orgs.models import Organization
from tenants.rules.selectors import rule_value
from zhdj.errors import ApplicationError

MAX_OPTIONS = 8
MAX_TIME_LIMIT = 300  # minutes


# -- a county's courses ------------------------------------------------------------------


def course_create(scope: Scope, org: Organization, data: dict[str, Any], user: User) -> Course:
    require_manage(scope, org)
    return Course.objects.create(org=org, created_by=user, **course_fields(data))


def course_update(scope: Scope, course: Course, data: dict[str, Any]) -> Course:
    require_manage(scope, course.org)
    return assign(course, course_fields(data))


def course_publish(scope: Scope, course: Course, published: bool) -> Course:
    require_manage(scope, course.org)
    publishable(course, published)
    course.published = published
    course.save(update_fields=["published", "updated_at"])
    return course


def lesson_add(scope: Scope, course: Course, data: dict[str, Any]) -> Lesson:
    require_manage(scope, course.org)
    fields = lesson_fields(data)
    with transaction.atomic():
        lesson = Lesson(course=course, sort=course.lessons.count() + 1, **fields)
        attach(lesson, data.get("media"))
        lesson.save()
    return lesson


def lesson_remove(scope: Scope, lesson: Lesson) -> None:
    require_manage(scope, lesson.course.org)
    _removable(lesson)
    lesson.delete()


def _removable(lesson: Lesson) -> None:
    if LessonProgress.objects.filter(lesson_id=lesson.pk).exists():
        raise ApplicationError("已有党员学习过这个课节，不能删除；可以撤回课程的发布。")
    if lesson.media:
        lesson.media.delete(save=False)


# -- the question bank --------------------------------------------------------------------


def _strings(data: dict[str, Any], key: str, label: str) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApplicationError(f"{label}应为一组文字。", field=key)
    return value


class _Errors:
    """Collects every refused field of a form at once (the page shows them all in one
    round), then raises them together: the first as the message, all in ``errors``."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def check(self, make: Any, default: Any = None) -> Any:
        try:
            return make()
        except ApplicationError as exc:
            self.errors.setdefault(exc.field or "__all__", []).append(exc.message)
            return default

    def raise_any(self) -> None:
        if self.errors:
            field, messages = next(iter(self.errors.items()))
            raise ApplicationError(messages[0], field=field, extra={"errors": self.errors})


def _options_and_answer(kind: str, data: dict[str, Any]) -> tuple[list[str], Any]:
    options = [o.strip() for o in _strings(data, "options", "选项") if o.strip()]
    answer = data.get("answer")
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
        if not 2 <= len(options) <= MAX_OPTIONS:
            raise ApplicationError(f"选择题需要 2–{MAX_OPTIONS} 个选项。", field="options")
        if any(len(o) > 500 for o in options):
            raise ApplicationError("选项不能超过 500 个字。", field="options")
        if (
            not isinstance(answer, list)
            or not answer
            or not all(_whole(i) and 0 <= i < len(options) for i in answer)
        ):
            raise ApplicationError("请选出正确的选项。", field="answer")
        answer = sorted(set(answer))
        if kind == QuestionKind.SINGLE and len(answer) != 1:
            raise ApplicationError("单选题只能有一个正确选项。", field="answer")
        if kind == QuestionKind.MULTI and len(answer) < 2:
            raise ApplicationError("多选题至少有两个正确选项。", field="answer")
        return options, answer
    if kind == QuestionKind.JUDGE:
        if answer not in ([0], [1]):
            raise ApplicationError("请选择“正确”或“错误”。", field="answer")
        return [], answer
    if (
        not isinstance(answer, list)
        or not answer
        or not all(
            isinstance(b, list) and b and all(isinstance(a, str) and a.strip() for a in b)
            for b in answer
        )
    ):
        raise ApplicationError("请填写每个空的答案。", field="answer")
    return [], [[a.strip()[:200] for a in b] for b in answer]


def _difficulty(data: dict[str, Any]) -> int:
    difficulty = data.get("difficulty", 2)
    if difficulty not in (1, 2, 3) or isinstance(difficulty, bool):
        raise ApplicationError("请选择难度。", field="difficulty")
    return difficulty


def question_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A question's fields checked: options and answers of the right shape for its kind.
    Every refused field is reported at once."""
    found = _Errors()
    kind = data.get("kind")
    if kind not in QuestionKind.values:
        found.errors["kind"] = ["请选择题型。"]
    stem = found.check(lambda: text(data.get("stem"), "题干", "stem", limit=2000))
    options, answer = (
        found.check(lambda: _options_and_answer(kind, data), ([], None))
        if kind in QuestionKind.values
        else ([], None)
    )
    explanation = found.check(
        lambda: text(data.get("explanation"), "解析", "explanation", required=False, limit=2000)
    )
    tags = found.check(
        lambda: [t.strip()[:20] for t in _strings(data, "tags", "标签") if t.strip()][:10]
    )
    difficulty = found.check(lambda: _difficulty(data))
    found.raise_any()
    return {
        "kind": kind,
        "stem": stem,
        "options": options,
        "answer": answer,
        "explanation": explanation,
        "tags": tags,
        "difficulty": difficulty,
    }


def question_create(scope: Scope, org: Organization, data: dict[str, Any], user: User) -> Question:
    require_manage(scope, org)
    return Question.objects.create(org=org, created_by=user, **question_fields(data))


def question_update(scope: Scope, question: Question, data: dict[str, Any]) -> Question:
    require_manage(scope, question.org)
    if Attempt.objects.filter(question_ids__contains=[question.pk]).exists():
        raise ApplicationError("这道题已经有人作答，不能修改；可以停用后另出一道。")
    return assign(question, question_fields(data))


def question_retire(scope: Scope, question: Question, active: bool) -> Question:
    require_manage(scope, question.org)
    question.active = active
    question.save(update_fields=["active"])
    return question


# -- papers ---------------------------------------------------------------------------------


def _whole(value: Any) -> bool:
    """A JSON whole number; true/false are not numbers here."""
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _quotas(bank: Any, quotas: Any) -> list[dict[str, Any]]:
    """Random papers: each rule (tag, kind, count) satisfiable from the bank."""
    if not quotas:
        raise ApplicationError("请填写抽题规则。", field="quotas")
    if not isinstance(quotas, list) or not all(isinstance(q, dict) for q in quotas):
        raise ApplicationError("抽题规则应为一组 {tag, kind, count} 对象。", field="quotas")
    for quota in quotas:
        tag, kind = quota.get("tag"), quota.get("kind")
        if kind not in QuestionKind.values or not isinstance(tag, str) or not tag.strip():
            raise ApplicationError("每条抽题规则都要写明标签和题型。", field="quotas")
        if not _whole(quota.get("count")) or not 1 <= quota["count"] <= 200:
            raise ApplicationError("每条抽题规则的题数应为 1–200 道。", field="quotas")
        pool = bank.filter(tags__contains=[quota["tag"]], kind=quota["kind"]).count()
        if pool < quota["count"]:
            kind = QuestionKind(quota["kind"]).label
            raise ApplicationError(
                f"题库中标签“{quota['tag']}”的{kind}只有 {pool} 道，不足 {quota['count']} 道。",
                field="quotas",
            )
    return quotas


def _fixed(bank: Any, question_ids: Any) -> tuple[list[int], set[str]]:
    if not question_ids:
        raise ApplicationError("请选择试题。", field="question_ids")
    if not isinstance(question_ids, list) or not all(
        _whole(pk) and 0 < pk < 2**63 for pk in question_ids
    ):
        raise ApplicationError("试题应为一组试题编号（正整数）。", field="question_ids")
    ids = list(dict.fromkeys(question_ids))
    found = list(bank.filter(pk__in=ids).values_list("pk", "kind"))
    if len(found) != len(ids):
        raise ApplicationError("有的试题不在本组织可用的题库中。", field="question_ids")
    return ids, {kind for _, kind in found}


def paper_fields(org: Organization, data: dict[str, Any]) -> dict[str, Any]:
    opens, closes = data.get("opens_at"), data.get("closes_at")
    if not isinstance(opens, datetime) or not isinstance(closes, datetime):
        raise ApplicationError("请填写考试的开始和截止时间。", field="opens_at")
    if closes <= opens:
        raise ApplicationError("截止时间应晚于开始时间。", field="closes_at")
    limit = data.get("time_limit_minutes")
    if not _whole(limit) or not 1 <= limit <= MAX_TIME_LIMIT:
        raise ApplicationError(f"限时应为 1–{MAX_TIME_LIMIT} 分钟。", field="time_limit_minutes")
    pass_percent = data.get("pass_percent", rule_value("learning.pass_percent"))
    if not _whole(pass_percent) or not 0 <= pass_percent <= 100:
        raise ApplicationError("合格线应为 0–100%。", field="pass_percent")
    attempts = data.get("max_attempts", rule_value("learning.max_attempts"))
    if not _whole(attempts) or not 1 <= attempts <= 20:
        raise ApplicationError("可考次数应为 1–20 次。", field="max_attempts")
    points = data.get("points") or {}
    if (
        not isinstance(points, dict)
        or set(points) - set(QuestionKind.values)
        or not all(_number(v) and 0 < v <= 100 for v in points.values())
    ):
        raise ApplicationError("每题分值应为 1–100 分。", field="points")
    mode = data.get("mode")
    if mode not in Paper.Mode.values:
        raise ApplicationError("请选择组卷方式。", field="mode")
    fields: dict[str, Any] = {
        "title": text(data.get("title"), "考试名称", "title"),
        "mode": mode,
        "points": points,
        "time_limit_minutes": limit,
        "opens_at": opens,
        "closes_at": closes,
        "pass_percent": pass_percent,
        "max_attempts": attempts,
        "quotas": [],
    }
    bank = bank_for(org)
    if mode == Paper.Mode.RANDOM:
        fields["quotas"] = _quotas(bank, data.get("quotas") or [])
        kinds = {q["kind"] for q in fields["quotas"]}
    else:
        fields["question_ids"], kinds = _fixed(bank, data.get("question_ids") or [])
    missing = [QuestionKind(k).label for k in kinds if k not in points]
    if missing:
        raise ApplicationError(f"请填写{'、'.join(missing)}的分值。", field="points")
    return fields


def paper_create(scope: Scope, org: Organization, data: dict[str, Any], user: User) -> Paper:
    require_manage(scope, org)
    fields = paper_fields(org, data)
    ids = fields.pop("question_ids", [])
    with transaction.atomic():
        paper = Paper.objects.create(org=org, created_by=user, **fields)
        PaperQuestion.objects.bulk_create(
            PaperQuestion(paper=paper, question_id=qid, sort=n) for n, qid in enumerate(ids)
        )
    return paper


def paper_publish(scope: Scope, paper: Paper, published: bool) -> Paper:
    require_manage(scope, paper.org)
    if not published and paper.attempts.exists():
        raise ApplicationError("已经有人参加这场考试，不能撤回。")
    paper.published = published
    paper.save(update_fields=["published"])
    return paper
