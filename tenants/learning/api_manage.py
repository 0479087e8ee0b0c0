"""Learning API of those who run it (学习教育管理): the county's courses (list, create,
update, publish), the question bank (list, create, update, retire), papers (list, create,
publish, results) and the statistics per organization for a year. The same services as
the pages, through the user's Scope; objects outside it are 404s."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tenants.access.permissions import Perm
from tenants.learning import services
from tenants.learning.models import Attempt, Course, Paper, Question
from tenants.learning.stats import year_report
from tenants.orgs.models import Organization
from zhdj.api import TenantAPIMixin, json_bool, query_params
from zhdj.errors import ApplicationError

MANAGE = Perm.LEARNING_MANAGE


def _org(scope: Any, data: Any) -> Organization:
    value = data.get("org")
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**63:
        raise ApplicationError("请选择组织。", field="org")
    org = Organization.objects.visible_to(scope, MANAGE).filter(pk=value).first()
    if org is None:
        raise ApplicationError("组织不存在或不在您的范围内。", field="org")
    return org


def _dict(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ApplicationError("请求体应为一个对象。")
    return data


# -- courses ---------------------------------------------------------------------------------


class CourseManageSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    audience_display = serializers.CharField(source="get_audience_display", read_only=True)
    lessons = serializers.SerializerMethodField()

    class Meta:
        model = Course
        fields = ("id", "org", "org_name", "title", "summary", "year", "audience",
                  "audience_display", "required", "published", "lessons")  # fmt: skip
        read_only_fields = ("published",)

    def get_lessons(self, course: Course) -> list[dict[str, Any]]:
        return [
            {
                "id": str(lesson.pk),
                "title": lesson.title,
                "kind": lesson.kind,
                "kind_display": lesson.get_kind_display(),
                "duration_seconds": lesson.duration_seconds,
            }
            for lesson in course.lessons.all()
        ]


class PublishSerializer(serializers.Serializer):
    published = serializers.BooleanField()


class CourseManageViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The courses of the organizations where the user runs learning. Lessons with their
    files are added on the course's page (an upload of up to 500 MB)."""

    serializer_class = CourseManageSerializer
    required_permission = MANAGE
    filterset_fields = ("year", "published")

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        return (
            Course.objects.visible_to(self.scope, MANAGE)
            .select_related("org")
            .prefetch_related("lessons")
        )

    def create(self, request: Request) -> Response:
        data = _dict(request.data)
        course = services.course_create(self.scope, _org(self.scope, data), data, request.user)
        return Response(CourseManageSerializer(course).data, status=201)

    def update(self, request: Request, pk: str | None = None) -> Response:
        course = services.course_update(self.scope, self.get_object(), _dict(request.data))
        return Response(CourseManageSerializer(course).data)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        course = self.get_object()
        fields = ("title", "summary", "year", "audience", "required")
        data = {f: getattr(course, f) for f in fields} | _dict(request.data)
        return Response(
            CourseManageSerializer(services.course_update(self.scope, course, data)).data
        )

    @extend_schema(request=PublishSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        course = services.course_publish(
            self.scope, self.get_object(), json_bool(request.data, "published")
        )
        return Response(CourseManageSerializer(course).data)


# -- the question bank --------------------------------------------------------------------------


class QuestionManageSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Question
        fields = ("id", "org", "org_name", "kind", "kind_display", "stem", "options", "answer",
                  "explanation", "tags", "difficulty", "active")  # fmt: skip
        read_only_fields = ("active",)


class QuestionQuery(serializers.Serializer):
    tag = serializers.CharField(required=False, max_length=20)
    kind = serializers.ChoiceField(required=False, choices=Question._meta.get_field("kind").choices)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)


class ActiveSerializer(serializers.Serializer):
    active = serializers.BooleanField()


class QuestionManageViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The question bank of the organizations where the user runs learning (``?tag=``,
    ``?kind=``, ``?active=``)."""

    serializer_class = QuestionManageSerializer
    required_permission = MANAGE

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        return Question.objects.visible_to(self.scope, MANAGE).select_related("org")

    @extend_schema(parameters=[QuestionQuery])
    def list(self, request: Request) -> Response:
        params = query_params(request, QuestionQuery)
        qs = self.get_queryset()
        if params.get("tag"):
            qs = qs.filter(tags__contains=[params["tag"]])
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        if params.get("active") is not None:
            qs = qs.filter(active=params["active"])
        page = self.paginate_queryset(qs)
        rows = QuestionManageSerializer(page if page is not None else qs, many=True).data
        return self.get_paginated_response(rows) if page is not None else Response(rows)

    def create(self, request: Request) -> Response:
        data = _dict(request.data)
        question = services.question_create(self.scope, _org(self.scope, data), data, request.user)
        return Response(QuestionManageSerializer(question).data, status=201)

    def update(self, request: Request, pk: str | None = None) -> Response:
        question = services.question_update(self.scope, self.get_object(), _dict(request.data))
        return Response(QuestionManageSerializer(question).data)

    @extend_schema(request=ActiveSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str | None = None) -> Response:
        """``{"active": false}`` retires the question, ``true`` brings it back."""
        question = services.question_retire(
            self.scope, self.get_object(), json_bool(request.data, "active")
        )
        return Response(QuestionManageSerializer(question).data)


# -- papers --------------------------------------------------------------------------------------


class PaperManageSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    question_ids = serializers.SerializerMethodField()

    class Meta:
        model = Paper
        fields = ("id", "org", "org_name", "title", "mode", "quotas", "points",
                  "time_limit_minutes", "opens_at", "closes_at", "pass_percent", "max_attempts",
                  "published", "question_ids")  # fmt: skip
        read_only_fields = ("published",)

    def get_question_ids(self, paper: Paper) -> list[int]:
        return [item.question_id for item in paper.items.all()]


class PaperTimes(serializers.Serializer):
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()


class ResultSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member.name")
    number = serializers.IntegerField()
    state = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    score = serializers.DecimalField(max_digits=6, decimal_places=1)
    total = serializers.DecimalField(max_digits=6, decimal_places=1)
    passed = serializers.BooleanField(allow_null=True)


class PaperManageViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Papers of the organizations where the user runs learning: fixed
    (``question_ids``) or random (``quotas``: tag, kind, count)."""

    serializer_class = PaperManageSerializer
    required_permission = MANAGE

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        return (
            Paper.objects.visible_to(self.scope, MANAGE)
            .select_related("org")
            .prefetch_related("items")
        )

    def create(self, request: Request) -> Response:
        data = dict(_dict(request.data))
        times = PaperTimes(data=data)
        if not times.is_valid():
            raise ApplicationError("请填写考试的开始和截止时间。", field="opens_at")
        data.update(times.validated_data)
        paper = services.paper_create(self.scope, _org(self.scope, data), data, request.user)
        return Response(PaperManageSerializer(paper).data, status=201)

    @extend_schema(request=PublishSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        paper = services.paper_publish(
            self.scope, self.get_object(), json_bool(request.data, "published")
        )
        return Response(PaperManageSerializer(paper).data)

    @extend_schema(responses=ResultSerializer(many=True))
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str | None = None) -> Response:
        """Every submitted attempt of the paper: member, score, passed."""
        attempts = (
            Attempt.objects.filter(paper=self.get_object())
            .exclude(state="open")
            .select_related("member")
            .order_by("member__name_pinyin", "number")
        )
        return Response(ResultSerializer(attempts, many=True).data)


# -- statistics ------------------------------------------------------------------------------------


class StatsQuery(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class OrgStatsSerializer(serializers.Serializer):
    org = serializers.IntegerField(source="org_id")
    name = serializers.CharField()
    members = serializers.IntegerField(source="count")
    hours_per_member = serializers.FloatField()
    reached = serializers.IntegerField()
    reached_percent = serializers.IntegerField()
    completion_percent = serializers.IntegerField(allow_null=True)
    pass_percent = serializers.IntegerField(allow_null=True)


class LearningStatsViewSet(TenantAPIMixin, viewsets.ViewSet):
    """Learning per organization in the user's scope for a year (``?year=``)."""

    serializer_class = OrgStatsSerializer
    required_permission = MANAGE

    @extend_schema(parameters=[StatsQuery], responses=OrgStatsSerializer(many=True))
    def list(self, request: Request) -> Response:
        year = query_params(request, StatsQuery).get("year") or timezone.localdate().year
        report = year_report(self.scope, year)
        return Response(OrgStatsSerializer(report.orgs, many=True).data)
