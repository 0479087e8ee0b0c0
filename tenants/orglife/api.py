"""Organizational life API: the meetings a user runs (plan, attendance, record, review,
ballots), a member's own meetings (sign-in, leave, written opinion, discussion), ballots
(vote, count) and compliance — the same services as the pages, through the user's Scope."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tenants.access.permissions import Perm
from tenants.orglife import appraisal, selectors, services, voting
from tenants.orglife.compliance import compliance
from tenants.orglife.models import Appraisal, AppraisalEntry, Attendance, Ballot, Meeting
from tenants.orgs.models import Organization
from zhdj.api import TenantAPIMixin, json_bool, json_int
from zhdj.errors import ApplicationError


class MeetingSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Meeting
        fields = (
            "id", "org", "org_name", "type_code", "title", "starts_at", "place", "online",
            "agenda", "lecturer", "status", "status_display", "minutes", "recorded_at",
            "reviewed_at",
        )  # fmt: skip
        read_only_fields = ("status", "minutes", "recorded_at", "reviewed_at")


class AttendanceSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ("id", "member", "member_name", "present", "signed_at", "method", "leave",
                  "leave_reason", "excused", "opinion")  # fmt: skip


class BallotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ballot
        fields = ("id", "meeting", "kind", "subject", "secret", "mode", "status", "as_of",
                  "eligible", "excused", "expected", "present", "written", "yes", "no",
                  "abstain", "quorum_met", "passed")  # fmt: skip


def _text(data: Any, key: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ApplicationError("应为文本。", field=key)
    return value


class MeetingViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Meetings of the organizations where the user runs organizational life."""

    serializer_class = MeetingSerializer
    filterset_fields = ("org", "type_code", "status")
    required_permission = Perm.ORGLIFE_MANAGE

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        return Meeting.objects.visible_to(self.scope, Perm.ORGLIFE_MANAGE).select_related("org")

    def create(self, request: Request) -> Response:
        """Plan a meeting; the notice goes to every expected member."""
        data = MeetingSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        org = fields.get("org")
        if org is None:
            raise ApplicationError("请选择召开组织。", field="org")
        meeting = services.meeting_plan(
            scope=self.scope,
            org=Organization.objects.get(pk=org.pk),
            type_code=fields.get("type_code", ""),
            starts_at=fields.get("starts_at"),
            title=fields.get("title", ""),
            place=fields.get("place", ""),
            online=fields.get("online", False),
            agenda=fields.get("agenda", ""),
            lecturer=fields.get("lecturer"),
            actor=request.user,
        )
        return Response(MeetingSerializer(meeting).data, status=201)

    @action(detail=True, methods=["get", "post"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        if request.method == "POST":
            ids = request.data.get("present", [])
            if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
                raise ApplicationError("present 应为党员编号的列表。", field="present")
            services.attendance_mark(
                scope=self.scope, meeting=meeting, present_ids=set(ids), actor=request.user
            )
        rows = meeting.attendances.select_related("member")
        return Response(AttendanceSerializer(rows, many=True).data)

    @action(detail=True, methods=["post"])
    def record(self, request: Request, pk: str | None = None) -> Response:
        meeting = services.meeting_record(
            scope=self.scope,
            meeting=self.get_object(),
            minutes=_text(request.data, "minutes"),
            actor=request.user,
        )
        return Response(MeetingSerializer(meeting).data)

    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        meeting = services.meeting_review(
            scope=self.scope, meeting=self.get_object(), actor=request.user
        )
        return Response(MeetingSerializer(meeting).data)

    @action(detail=True, methods=["get", "post"])
    def ballots(self, request: Request, pk: str | None = None) -> Response:
        """The meeting's ballots; POST puts a branch resolution to the vote."""
        meeting = self.get_object()
        if request.method == "POST":
            ballot = voting.ballot_open(
                scope=self.scope,
                meeting=meeting,
                kind="resolution",
                subject=_text(request.data, "subject"),
                secret=json_bool(request.data, "secret", True),
                mode=_text(request.data, "mode") or Ballot.Mode.PHONE,
                actor=request.user,
            )
            return Response(BallotSerializer(ballot).data, status=201)
        return Response(BallotSerializer(meeting.ballots.order_by("pk"), many=True).data)


class OwnMeetingViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The meetings the user is expected at, with their own attendance (``pk``: the
    meeting)."""

    serializer_class = MeetingSerializer

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        mine = selectors.own_meetings(self.scope).values("meeting_id")
        return Meeting.objects.filter(pk__in=mine).select_related("org").order_by("-starts_at")

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        row = selectors.own_attendance(self.scope, meeting.pk)
        return Response({**MeetingSerializer(meeting).data, "mine": AttendanceSerializer(row).data})

    @action(detail=False, methods=["post"])
    def checkin(self, request: Request) -> Response:
        """The QR code's secret, as the phone read it (扫码签到)."""
        row = services.attendance_check_in(
            token=_text(request.data, "token")[:64], member_id=self.scope.member_id
        )
        return Response(AttendanceSerializer(row).data)

    @action(detail=True, methods=["post"])
    def leave(self, request: Request, pk: str | None = None) -> Response:
        row = services.leave_request(
            meeting=self.get_object(),
            member_id=self.scope.member_id,
            reason=_text(request.data, "reason"),
        )
        return Response(AttendanceSerializer(row).data)

    @action(detail=True, methods=["post"])
    def opinion(self, request: Request, pk: str | None = None) -> Response:
        row = services.opinion_leave(
            meeting=self.get_object(),
            member_id=self.scope.member_id,
            text=_text(request.data, "opinion"),
        )
        return Response(AttendanceSerializer(row).data)

    @action(detail=True, methods=["get", "post"])
    def comments(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        if request.method == "POST":
            services.comment_add(
                scope=self.scope,
                meeting=meeting,
                body=_text(request.data, "body"),
                item=json_int(request.data, "item", None),
            )
        return Response(
            [
                {"author": c.author.name, "item": c.item, "body": c.body, "at": c.created_at}
                for c in services.comments_of(self.scope, meeting)
            ]
        )


class BallotViewSet(TenantAPIMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A ballot: its roll's figures and result; ``vote`` (a member on its roll) and
    ``count`` (who runs the meeting)."""

    serializer_class = BallotSerializer

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        run = Ballot.objects.visible_to(self.scope, Perm.ORGLIFE_MANAGE).values("pk")
        mine = (
            Ballot.objects.filter(voters__member_id=self.scope.member_id).values("pk")
            if self.scope.member_id is not None
            else Ballot.objects.none().values("pk")
        )
        return Ballot.objects.filter(pk__in=run.union(mine)).order_by("pk")

    @action(detail=True, methods=["post"])
    def vote(self, request: Request, pk: str | None = None) -> Response:
        ballot = self.get_object()
        voting.ballot_cast(
            ballot=ballot, member_id=self.scope.member_id, choice=_text(request.data, "choice")
        )
        return Response({"voted": True})

    @action(detail=True, methods=["post"])
    def count(self, request: Request, pk: str | None = None) -> Response:
        ballot = get_object_or_404(
            Ballot.objects.visible_to(self.scope, Perm.ORGLIFE_MANAGE), pk=self.get_object().pk
        )
        counted = None
        if ballot.mode == Ballot.Mode.COUNTED:
            counted = voting.Counted(
                **{k: json_int(request.data, k, 0) for k in ("yes", "no", "abstain", "written")}
            )
        ballot = voting.ballot_close(
            scope=self.scope, ballot=ballot, actor=request.user, counted=counted
        )
        return Response(BallotSerializer(ballot).data)


class ComplianceLineSerializer(serializers.Serializer):
    type = serializers.CharField()
    name = serializers.CharField()
    required = serializers.IntegerField()
    held = serializers.IntegerField()
    missing_periods = serializers.ListField(child=serializers.CharField())
    current = serializers.ListField(child=serializers.IntegerField())


class ComplianceSerializer(serializers.Serializer):
    org = serializers.IntegerField()
    org_name = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    silent = serializers.BooleanField()
    last_held = serializers.DateField(allow_null=True)
    incomplete = serializers.IntegerField()
    secretary_lectured = serializers.BooleanField(allow_null=True)
    types = ComplianceLineSerializer(many=True)


class ComplianceViewSet(TenantAPIMixin, viewsets.GenericViewSet):
    """Every branch the user looks after: status and required vs held by type (``?year=``)."""

    required_permission = Perm.ORGLIFE_MANAGE
    serializer_class = ComplianceSerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Organization.objects.none()  # the figures come from ``compliance``

    def list(self, request: Request) -> Response:
        year = json_int(request.query_params, "year", None)
        rows = compliance(self.scope, year=year if year and 2000 <= year <= 2100 else None)
        return Response(
            [
                {
                    "org": b.org.pk,
                    "org_name": b.org.name,
                    "status": b.status,
                    "status_display": b.status_label,
                    "silent": b.silent,
                    "last_held": b.last_held,
                    "incomplete": b.incomplete,
                    "secretary_lectured": b.secretary_lectured,
                    "types": [
                        {
                            "type": line.type.code,
                            "name": line.type.name,
                            "required": line.required,
                            "held": line.held,
                            "missing_periods": line.missing_periods,
                            "current": [line.current_held, line.current_required],
                        }
                        for line in b.lines
                    ],
                }
                for b in rows
            ]
        )


class AppraisalEntrySerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = AppraisalEntry
        fields = ("id", "member", "member_name", "self_assessment", "proposed", "grade",
                  "handling", "handling_note")  # fmt: skip


class AppraisalSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = Appraisal
        fields = ("id", "org", "org_name", "year", "status", "ballot", "decided_at")


def _grades(data: Any, key: str) -> dict[int, str]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ApplicationError("应为“党员编号: 等次”的对象。", field=key)
    if not all(str(k).isdecimal() and len(str(k)) <= 18 for k in value):
        raise ApplicationError("党员编号应为整数。", field=key)
    return {int(k): str(v) for k, v in value.items()}


class AppraisalViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """民主评议党员: the branch's appraisals (start, ``propose``, ``vote``, ``decide``) and a
    member's own part (``self_assessment``, ``peer_review``) — the page's services."""

    serializer_class = AppraisalSerializer

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        run = Appraisal.objects.visible_to(self.scope, Perm.ORGLIFE_MANAGE).values("pk")
        mine = AppraisalEntry.objects.filter(member_id=self.scope.member_id).values("appraisal_id")
        return (
            Appraisal.objects.filter(pk__in=run.union(mine.values("appraisal_id")))
            .select_related("org")
            .order_by("-year", "pk")
        )

    def _run(self) -> Appraisal:
        return get_object_or_404(
            Appraisal.objects.visible_to(self.scope, Perm.ORGLIFE_MANAGE), pk=self.get_object().pk
        )

    def create(self, request: Request) -> Response:
        org = get_object_or_404(
            Organization.objects.visible_to(self.scope, Perm.ORGLIFE_MANAGE),
            pk=json_int(request.data, "org", 0),
        )
        row = appraisal.appraisal_start(
            scope=self.scope, org=org, year=json_int(request.data, "year", 0), actor=request.user
        )
        return Response(AppraisalSerializer(row).data, status=201)

    @action(detail=True, methods=["get"])
    def entries(self, request: Request, pk: str | None = None) -> Response:
        row = self._run()
        return Response(
            AppraisalEntrySerializer(row.entries.select_related("member"), many=True).data
        )

    @action(detail=True, methods=["post"])
    def self_assessment(self, request: Request, pk: str | None = None) -> Response:
        entry = appraisal.self_assess(
            appraisal=self.get_object(),
            member_id=self.scope.member_id,
            text=_text(request.data, "text"),
        )
        return Response(AppraisalEntrySerializer(entry).data)

    @action(detail=True, methods=["post"])
    def peer_review(self, request: Request, pk: str | None = None) -> Response:
        appraisal.peer_review(
            appraisal=self.get_object(),
            member_id=self.scope.member_id,
            grades=_grades(request.data, "grades"),
        )
        return Response({"reviewed": True})

    @action(detail=True, methods=["post"])
    def propose(self, request: Request, pk: str | None = None) -> Response:
        row = appraisal.grades_propose(
            scope=self.scope, appraisal=self._run(), proposed=_grades(request.data, "grades")
        )
        return Response(AppraisalSerializer(row).data)

    @action(detail=True, methods=["post"])
    def vote(self, request: Request, pk: str | None = None) -> Response:
        row = self._run()
        meeting = get_object_or_404(
            Meeting.objects.filter(org_id=row.org_id), pk=json_int(request.data, "meeting", 0)
        )
        ballot = appraisal.appraisal_vote_open(
            scope=self.scope, appraisal=row, meeting=meeting, actor=request.user
        )
        return Response(BallotSerializer(ballot).data, status=201)

    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        raw = request.data.get("handling", {})
        if not isinstance(raw, dict):
            raise ApplicationError("应为“党员编号: [处置, 说明]”的对象。", field="handling")
        handling = {}
        for key, value in raw.items():
            code, note = [*value, "", ""][:2] if isinstance(value, list) else (value, "")
            if not str(key).isdecimal() or len(str(key)) > 18:
                raise ApplicationError("党员编号应为整数。", field="handling")
            handling[int(key)] = (str(code), str(note))
        row = appraisal.appraisal_decide(
            scope=self.scope, appraisal=self._run(), handling=handling, actor=request.user
        )
        return Response(AppraisalSerializer(row).data)
