"""Learning API: a member's courses and record, the player's study sessions and progress
events, tests (start, save answers, submit, result) and the wrong-answer book. The pages'
player and answer sheet use these same endpoints. Managers' endpoints: ``api_manage``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tenants.learning import exams, selectors, study
from tenants.learning.catalogue import lesson_by_id, lesson_for_member, lessons_by_ids
from tenants.learning.forms import chosen_year
from tenants.learning.models import Attempt, AttemptState, Paper, StudySession
from tenants.members.models import Member
from zhdj.api import TenantAPIMixin, json_int
from zhdj.errors import AccessDenied, ApplicationError


def _uuid(value: Any, field: str) -> UUID:
    try:
        return UUID(str(value))
    except (TypeError, ValueError):
        raise ApplicationError("编号格式不正确。", field=field) from None


class MemberAPIMixin(TenantAPIMixin):
    """Endpoints of a member's own learning: the user must have a member record."""

    def member_id(self) -> int:
        if self.scope.member_id is None:
            raise AccessDenied("只有党员本人可以使用学习功能。")
        return int(self.scope.member_id)

    def member(self) -> Member:
        return Member.objects.select_related("org").get(pk=self.member_id())


class CourseSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="course.id")
    title = serializers.CharField(source="course.title")
    summary = serializers.CharField(source="course.summary")
    required = serializers.BooleanField(source="course.required")
    audience = serializers.CharField(source="course.get_audience_display")
    city = serializers.BooleanField()
    percent = serializers.IntegerField()
    lessons = serializers.SerializerMethodField()

    def get_lessons(self, row: selectors.CourseProgress) -> list[dict[str, Any]]:
        return [
            {
                "id": str(lesson.pk),
                "title": lesson.title,
                "kind": lesson.kind,
                "kind_display": lesson.get_kind_display(),
                "duration_seconds": lesson.duration_seconds,
                "credited_seconds": row.credited.get(lesson.pk, 0),
                "completed": lesson.pk in row.completed,
            }
            for lesson in row.lessons
        ]


class LearningRecordViewSet(MemberAPIMixin, viewsets.ViewSet):
    """A member's year: hours against the target, the courses meant for them with progress
    (``?year=``)."""

    serializer_class = CourseSerializer

    def list(self, request: Request) -> Response:
        year = chosen_year(request.query_params)
        data = selectors.member_year(self.member(), year)
        by_lesson = study.lesson_seconds_in_year(self.member(), data.year)
        lessons = lessons_by_ids(by_lesson)
        return Response(
            {
                "year": data.year,
                "hours": data.hours,
                "target_hours": data.target,
                "minutes_per_hour": data.rules.minutes_per_hour,
                "courses": CourseSerializer(data.courses, many=True).data,
                "by_lesson": [
                    {
                        "lesson": str(lid),
                        "title": lessons[lid].title if lid in lessons else "（已删除的课节）",
                        "hours": data.rules.hours(seconds),
                    }
                    for lid, seconds in by_lesson.items()
                ],
            }
        )


class StudySessionViewSet(MemberAPIMixin, viewsets.ViewSet):
    """The player: ``POST sessions/`` {lesson, device, position} opens a session (pausing the
    member's other device); ``POST sessions/<id>/progress/`` {seq, position} reports
    progress; refused events answer 409 with the reason and are recorded."""

    # Only for the OpenAPI schema (the id's type): every handler reads the member's own rows.
    queryset = StudySession.objects.none()
    serializer_class = CourseSerializer

    def create(self, request: Request) -> Response:
        member = self.member()
        found = lesson_for_member(member, _uuid(request.data.get("lesson"), "lesson"))
        if found is None:
            raise Http404("课节不存在")
        device = request.data.get("device")
        if not isinstance(device, str):
            raise ApplicationError("缺少设备标识。", field="device")
        session = study.session_start(
            member, found, device, position=request.data.get("position") or 0
        )
        return Response(
            {
                "session": str(session.pk),
                "lesson": str(found.lesson.pk),
                "duration_seconds": found.lesson.duration_seconds,
                "position": session.position,
            },
            status=status.HTTP_201_CREATED,
        )

    @action(detail=True, methods=["post"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        member = self.member()
        session = StudySession.objects.filter(pk=_uuid(pk, "session"), member=member).first()
        if session is None:
            raise Http404("学习会话不存在")
        found = lesson_by_id(session.lesson_id)
        if found is None:
            raise Http404("课节不存在")
        result = study.progress_report(
            member,
            session.pk,
            found,
            seq=json_int(request.data, "seq", minimum=1),
            position=request.data.get("position"),
        )
        body = {
            "credited": result.credited,
            "session_seconds": result.session_seconds,
            "lesson_seconds": result.lesson_seconds,
            "completed": result.completed,
        }
        if result.refused:
            body |= {"refused": result.refused, "errors": {"__all__": [result.message]}}
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(body)

    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        study.session_end(self.member(), _uuid(pk, "session"))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PaperSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = Paper
        fields = ("id", "title", "org_name", "time_limit_minutes", "opens_at", "closes_at",
                  "pass_percent", "max_attempts")  # fmt: skip


def attempt_body(attempt: Attempt) -> dict[str, Any]:
    """An attempt as its member sees it: the questions without answers while open; with the
    right answers, points and explanations once closed."""
    body: dict[str, Any] = {
        "id": str(attempt.pk),
        "paper": attempt.paper_id,
        "title": attempt.paper.title,
        "number": attempt.number,
        "state": attempt.state,
        "state_display": attempt.get_state_display(),
        "deadline": attempt.deadline,
        "seconds_left": max(int((attempt.deadline - timezone.now()).total_seconds()), 0),
        "total": attempt.total,
    }
    if attempt.state == AttemptState.OPEN:
        body["questions"] = [vars(q) for q in exams.shown_questions(attempt)]
        return body
    body |= {"score": attempt.score, "passed": attempt.passed, "submitted_at": attempt.submitted_at}
    body["questions"] = [
        {
            **vars(row.question),
            "right": row.right,
            "points": row.points,
            "full": row.full,
            "correct": row.correct,
            "explanation": row.explanation,
        }
        for row in exams.result_rows(attempt)
    ]
    return body


class PaperViewSet(MemberAPIMixin, viewsets.ViewSet):
    """Tests open to the member; ``POST papers/<id>/start/`` starts (or resumes) an attempt."""

    # Only for the OpenAPI schema (the id's type): every handler reads the member's own rows.
    queryset = Paper.objects.none()
    serializer_class = PaperSerializer

    def list(self, request: Request) -> Response:
        member = self.member()
        papers = selectors.open_papers(member)
        attempts = selectors.attempts_of(member, papers)
        return Response(
            [
                {
                    **PaperSerializer(p).data,
                    "attempts": len(attempts[p.pk]),
                    "passed": any(a.passed for a in attempts[p.pk]),
                }
                for p in papers
            ]
        )

    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        member = self.member()
        paper = Paper.objects.filter(pk=_pk(pk), published=True).select_related("org").first()
        if paper is None:
            raise Http404("考试不存在")
        attempt = exams.attempt_start(member, paper)
        return Response(attempt_body(attempt), status=status.HTTP_201_CREATED)


def _pk(value: Any) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise Http404("记录不存在") from None
    if not 0 < number < 2**63:
        raise Http404("记录不存在")
    return number


class AttemptViewSet(MemberAPIMixin, viewsets.ViewSet):
    """The member's own attempts: read, save one answer, submit."""

    # Only for the OpenAPI schema (the id's type): every handler reads the member's own rows.
    queryset = Attempt.objects.none()
    serializer_class = PaperSerializer

    def _attempt(self, pk: str | None) -> Attempt:
        attempt = (
            Attempt.objects.filter(pk=_uuid(pk, "attempt"), member_id=self.member_id())
            .select_related("paper")
            .first()
        )
        if attempt is None:
            raise Http404("答卷不存在")
        if attempt.state == AttemptState.OPEN:
            exams.expire_overdue(paper=attempt.paper, member=attempt.member)
            attempt.refresh_from_db()
        return attempt

    def list(self, request: Request) -> Response:
        rows = selectors.member_attempts(self.member())
        return Response(
            [
                {
                    "id": str(a.pk),
                    "paper": a.paper_id,
                    "title": a.paper.title,
                    "number": a.number,
                    "state": a.state,
                    "score": a.score,
                    "total": a.total,
                    "passed": a.passed,
                    "started_at": a.started_at,
                }
                for a in rows
            ]
        )

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(attempt_body(self._attempt(pk)))

    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """One answer, saved as given (the service checks the owner and the deadline)."""
        question = json_int(request.data, "question", minimum=1)
        row = exams.answer_save(
            self.member_id(), _uuid(pk, "attempt"), question, request.data.get("answer")
        )
        return Response({"question": question, "saved_at": row.saved_at})

    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        done = exams.attempt_submit(self.member_id(), _uuid(pk, "attempt"))
        return Response(attempt_body(Attempt.objects.select_related("paper").get(pk=done.pk)))


class WrongBookViewSet(MemberAPIMixin, viewsets.ViewSet):
    """错题本: the questions the member last answered wrong, with the right answer."""

    serializer_class = PaperSerializer

    def list(self, request: Request) -> Response:
        return Response([exams.wrong_entry(q) for q in exams.wrong_book(self.member())])
