"""A member's own learning, phone first (我的学习): this year's hours against the target,
the courses meant for them, a lesson's page and player, tests and the wrong-answer book.

Study time is what the server credits (``tenants.learning.study``): the page shows it and
never urges; nothing here ranks members or asks them to check in. The answer sheet saves
each answer as it is given (static/js/learning-sheet.js, through the API) and works
without script as one form that saves every answer and submits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tenants.access.scope import Scope
from tenants.learning import exams, selectors
from tenants.learning.catalogue import Found, lesson_for_member, lessons_of
from tenants.learning.forms import chosen_year
from tenants.learning.grading import JUDGE_OPTIONS
from tenants.learning.models import Attempt, AttemptState, LessonProgress, Paper, QuestionKind
from tenants.learning.ranges import Unsatisfiable, byte_range
from tenants.learning.study import study_rules
from tenants.members.models import Member
from zhdj.errors import ApplicationError
from zhdj.web.access import scoped_page
from zhdj.web.query import MAX_ID

NOT_A_MEMBER = "只有党员本人可以使用学习功能。"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
EXPIRED = "已超过作答时间，系统已按已保存的答案自动交卷。"


def _member(scope: Scope) -> Member:
    if scope.member_id is None:
        raise PermissionDenied(NOT_A_MEMBER)
    return Member.objects.select_related("org").get(pk=scope.member_id)


def certificate_url(year: int) -> str | None:
    """The year's certificate (学习证明), if that page exists in this build."""
    for args in ([year], []):
        try:
            found = reverse("learning:certificate", args=args)
        except NoReverseMatch:
            continue
        return found if args else f"{found}?year={year}"
    return None


@dataclass
class PaperRow:
    paper: Paper
    used: int
    left: int
    passed: bool
    current: Attempt | None
    not_yet: bool
    closed: bool = False
    record: bool = False  # on another year's page: shown, not taken from there


@never_cache
@scoped_page()
def mine(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    member = _member(scope)
    try:
        year = chosen_year(request.GET)
    except ApplicationError as exc:
        return render(
            request,
            "web/bad_query.html",
            {
                "title": "我的学习",
                "lead": "年度有误：",
                "errors": [exc.message],
                "back": reverse("learning:mine"),
            },
            status=400,
        )
    data = selectors.member_year(member, year)
    this = timezone.localdate().year
    # This year's page shows what may still be taken; another year's, that year's papers
    # (as a record: no 开始考试 or 继续作答 there) and its attempts.
    papers = selectors.open_papers(member) if year == this else selectors.year_papers(member, year)
    attempts = selectors.attempts_of(member, papers)
    now = timezone.now()
    rows = []
    for paper in papers:
        done = attempts[paper.pk]
        current = next((a for a in done if a.state == AttemptState.OPEN), None)
        rows.append(
            PaperRow(
                paper,
                len(done),
                max(paper.max_attempts - len(done), 0),
                any(a.passed for a in done),
                current,
                paper.opens_at > now,
                paper.closes_at <= now,
                year != this,
            )
        )
    past = [a for a in selectors.member_attempts(member, year) if a.state != AttemptState.OPEN]
    return render(
        request,
        "learning/mine.html",
        {
            "data": data,
            "papers": rows,
            "past": past[:20],
            "wrong_count": len(exams.wrong_book(member)),
            "certificate": certificate_url(year),
            "previous_year": year - 1 if year > 2000 else None,
            "next_year": year + 1 if year < this else None,
            "this_year": this,
        },
    )


# ---------------------------------------------------------------- lessons


def duration_text(seconds: int) -> str:
    """``3 分 5 秒`` (what learning-player.js writes as the time grows)."""
    minutes, rest = divmod(max(int(seconds), 0), 60)
    return f"{minutes} 分 {rest} 秒" if minutes else f"{rest} 秒"


def _lesson(scope: Scope, lesson_id: UUID) -> tuple[Member, Found]:
    member = _member(scope)
    found = lesson_for_member(member, lesson_id)
    if found is None:
        raise Http404("课节不存在")
    return member, found


@never_cache
@scoped_page()
def lesson(request: HttpRequest, lesson_id: UUID, *, scope: Scope) -> HttpResponse:
    member, found = _lesson(scope, lesson_id)
    progress = LessonProgress.objects.filter(member=member, lesson_id=found.lesson.pk).first()
    siblings = lessons_of(found.course)
    index = next((i for i, x in enumerate(siblings) if x.pk == found.lesson.pk), 0)
    rules = study_rules()
    credited = progress.credited_seconds if progress else 0
    return render(
        request,
        "learning/lesson.html",
        {
            "lesson": found.lesson,
            "course": found.course,
            "credited": credited,
            "credited_text": duration_text(credited),
            "length": duration_text(found.lesson.duration_seconds),
            "completed": bool(progress and progress.completed_at),
            "min_minutes": max(rules.min_session_seconds // 60, 1),
            "min_seconds": rules.min_session_seconds,
            "previous": siblings[index - 1] if index > 0 else None,
            "next": siblings[index + 1] if index + 1 < len(siblings) else None,
            "has_media": bool(found.lesson.media),
        },
    )


class _Part:
    """``length`` bytes of an open file from where it stands (a 206's body)."""

    def __init__(self, file: Any, length: int) -> None:
        self.file, self.left = file, length

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        size = self.left if size is None or size < 0 else min(size, self.left)
        chunk = self.file.read(size)
        self.left -= len(chunk)
        return chunk

    def close(self) -> None:
        self.file.close()


@scoped_page()
def lesson_media(request: HttpRequest, lesson_id: UUID, *, scope: Scope) -> HttpResponse:
    """A lesson's video, audio or document, for members who may study it, in byte ranges
    (a phone seeks in a video by asking for the part it needs)."""
    found = _lesson(scope, lesson_id)[1]
    media = found.lesson.media
    if not media:
        raise Http404("这个课节没有媒体文件")
    try:
        size = media.size
    except OSError:
        raise Http404("媒体文件不存在") from None
    content_type = found.lesson.media_type or "application/octet-stream"
    try:
        wanted = byte_range(request.headers.get("Range"), size)
    except Unsatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    file = media.open("rb")
    if wanted is None:
        response = FileResponse(file, content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        first, last = wanted
        file.seek(first)
        response = FileResponse(_Part(file, last - first + 1), content_type=content_type)
        response.status_code = 206
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    name = f"{found.lesson.title}{media.name[media.name.rfind('.') :]}"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- tests


@require_POST
@scoped_page()
def test_start(request: HttpRequest, paper_id: int, *, scope: Scope) -> HttpResponse:
    member = _member(scope)
    paper = (
        Paper.objects.filter(pk=min(paper_id, MAX_ID), published=True).select_related("org").first()
    )
    if paper is None or not exams.member_may_take(member, paper):
        raise Http404("考试不存在")
    try:
        attempt = exams.attempt_start(member, paper)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("learning:mine")
    return redirect("learning:attempt", attempt.pk)


def _attempt(scope: Scope, attempt_id: UUID) -> tuple[Member, Attempt]:
    member = _member(scope)
    attempt = (
        Attempt.objects.filter(pk=attempt_id, member=member)
        .select_related("paper", "member__org")
        .first()
    )
    if attempt is None:
        raise Http404("答卷不存在")
    if attempt.state == AttemptState.OPEN:
        exams.expire_overdue(paper=attempt.paper, member=member)
        attempt.refresh_from_db()
    return member, attempt


@dataclass
class SheetRow:
    """One question on the answer sheet, with what the member has given."""

    q: exams.ShownQuestion
    choices: list[tuple[int, str, str, bool]] = field(default_factory=list)
    blanks: list[tuple[int, str]] = field(default_factory=list)
    error: str = ""

    @property
    def answered(self) -> bool:
        return any(str(x).strip() for x in self.q.given)

    @property
    def input_type(self) -> str:
        return "checkbox" if self.q.kind == QuestionKind.MULTI else "radio"


def submit_question(unanswered: int) -> str:
    """The 交卷 confirmation (learning-sheet.js words it the same as answers change)."""
    ahead = f"还有 {unanswered} 题未作答，" if unanswered else ""
    return f"{ahead}确定交卷吗？交卷后不能再修改答案。"


def sheet_rows(attempt: Attempt, errors: dict[int, str] | None = None) -> list[SheetRow]:
    rows = []
    for q in exams.shown_questions(attempt):
        row = SheetRow(q, error=(errors or {}).get(q.id, ""))
        if q.kind == QuestionKind.FILL:
            given = [str(x) for x in q.given]
            row.blanks = [(i, given[i] if i < len(given) else "") for i in range(q.blanks)]
        else:
            row.choices = [(i, LETTERS[i], text, i in q.given) for i, text in enumerate(q.options)]
        rows.append(row)
    return rows


def _sheet_page(
    request: HttpRequest, attempt: Attempt, errors: dict[int, str] | None = None
) -> HttpResponse:
    left = max(int((attempt.deadline - timezone.now()).total_seconds()), 0)
    rows = sheet_rows(attempt, errors)
    return render(
        request,
        "learning/attempt.html",
        {
            "attempt": attempt,
            "paper": attempt.paper,
            "rows": rows,
            "confirm": submit_question(sum(1 for row in rows if not row.answered)),
            "seconds_left": left,
            "clock": f"{left // 60}:{left % 60:02d}",
            "grace": int(exams.grace().total_seconds()),
            "errors": errors or {},
        },
        status=400 if errors else 200,
    )


@never_cache
@scoped_page()
def attempt(request: HttpRequest, attempt_id: UUID, *, scope: Scope) -> HttpResponse:
    _m, row = _attempt(scope, attempt_id)
    if row.state != AttemptState.OPEN:
        if row.state == AttemptState.EXPIRED:
            messages.info(request, EXPIRED)
        return redirect("learning:attempt-result", row.pk)
    return _sheet_page(request, row)


def posted_answer(q: exams.ShownQuestion, data: QueryDict) -> list[Any] | None:
    """The answer a sheet sent without script for one question, in the member's order;
    None when it sent nothing for it."""
    key = f"q{q.id}"
    if q.kind == QuestionKind.FILL:
        texts = [data.get(f"{key}_{i}", "").strip() for i in range(q.blanks)]
        return texts if any(texts) or q.given else None
    values = data.getlist(key)
    try:
        chosen = [int(v) for v in values]
    except ValueError:
        raise ApplicationError("所选的选项不存在。", field="answer") from None
    if q.kind == QuestionKind.MULTI:
        return chosen if chosen or q.given else None
    return chosen or None


@require_POST
@scoped_page()
def attempt_submit(request: HttpRequest, attempt_id: UUID, *, scope: Scope) -> HttpResponse:
    """The sheet as one form: every answer it carries is saved, then (unless the member
    only saved) the attempt is submitted. With script, the answers are already saved."""
    member, row = _attempt(scope, attempt_id)
    if row.state != AttemptState.OPEN:
        if row.state == AttemptState.EXPIRED:
            messages.info(request, EXPIRED)
        return redirect("learning:attempt-result", row.pk)
    errors: dict[int, str] = {}
    for q in exams.shown_questions(row):
        try:
            given = posted_answer(q, request.POST)
            if given is not None:
                exams.answer_save(member.pk, row.pk, q.id, given)
        except ApplicationError as exc:
            row.refresh_from_db()
            if row.state != AttemptState.OPEN:  # the deadline passed: graded as saved
                messages.info(request, EXPIRED)
                return redirect("learning:attempt-result", row.pk)
            errors[q.id] = exc.message
    if errors:
        return _sheet_page(request, row, errors)
    if request.POST.get("action") == "save":
        messages.success(request, "答案已保存。")
        return redirect("learning:attempt", row.pk)
    done = exams.attempt_submit(member.pk, row.pk)
    messages.success(request, EXPIRED if done.state == AttemptState.EXPIRED else "已交卷。")
    return redirect("learning:attempt-result", row.pk)


def _choice_text(q: exams.ShownQuestion, positions: list[Any]) -> str:
    if q.kind == QuestionKind.FILL:
        return "；".join(str(t) or "（空）" for t in positions) if any(positions) else ""
    if q.kind == QuestionKind.JUDGE:
        return "、".join(JUDGE_OPTIONS[i] for i in positions if 0 <= i < len(JUDGE_OPTIONS))
    return "、".join(LETTERS[i] for i in positions if 0 <= i < len(q.options))


@never_cache
@scoped_page()
def attempt_result(request: HttpRequest, attempt_id: UUID, *, scope: Scope) -> HttpResponse:
    member, row = _attempt(scope, attempt_id)
    if row.state == AttemptState.OPEN:
        return redirect("learning:attempt", row.pk)
    results = [
        {
            "r": r,
            "given": _choice_text(r.question, r.question.given),
            "right": _choice_text(r.question, r.right),
            "choices": [(LETTERS[i], t) for i, t in enumerate(r.question.options)]
            if r.question.kind in (QuestionKind.SINGLE, QuestionKind.MULTI)
            else [],
        }
        for r in exams.result_rows(row)
    ]
    paper = row.paper
    retake = (
        paper.closes_at > timezone.now()
        and not Attempt.objects.filter(paper=paper, member=member, passed=True).exists()
        and exams.attempts_left(member, paper) > 0
    )
    return render(
        request,
        "learning/attempt_result.html",
        {"attempt": row, "paper": paper, "results": results, "retake": retake},
    )


def _stored_text(q: Any, given: list[Any]) -> str:
    """A stored answer (original option indexes, or the blanks' texts) as the wrong-answer
    book shows it: the options there are in their original order."""
    if q.kind == QuestionKind.FILL:
        return "；".join(str(t) or "（空）" for t in given)
    if q.kind == QuestionKind.JUDGE:
        return "、".join(JUDGE_OPTIONS[i] for i in given if 0 <= i < len(JUDGE_OPTIONS))
    return "、".join(LETTERS[i] for i in sorted(given) if 0 <= i < len(q.options))


@never_cache
@scoped_page()
def wrong(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    member = _member(scope)
    entries = []
    for found in exams.wrong_answers(member):
        q = found.question
        entry = exams.wrong_entry(q)
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
            entry["choices"] = [(LETTERS[i], t) for i, t in enumerate(entry["options"])]
            entry["right_text"] = "、".join(
                LETTERS[i] for i in sorted(q.answer) if 0 <= i < len(q.options)
            )
        else:
            entry["choices"] = []
            entry["right_text"] = "；".join(entry["right"])
        entry["given_text"] = "" if found.unanswered else _stored_text(q, found.given)
        entries.append(entry)
    return render(request, "learning/wrong.html", {"entries": entries})
