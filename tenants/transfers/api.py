"""Transfer API (组织关系转接): transfers and the inbox of envelopes from other counties.

Every list and object goes through the user's Scope (``TenantAPIMixin``): an id outside
it, or another county's, is a 404. Actions call the services, which check who acts at
which step; their refusals come back as 400 with Chinese messages by field.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from shared.interchange.models import TransferEnvelope
from shared.interchange.selectors import IN_INBOX
from tenants.access.permissions import Perm
from tenants.members.models import Member
from tenants.orgs.models import Organization
from tenants.transfers import selectors as sel
from tenants.transfers import services as svc
from tenants.transfers.models import Kind, State, Transfer, TransferAction
from tenants.transfers.services.crosscounty import envelope_preview
from zhdj.api import TenantAPIMixin, query_params
from zhdj.errors import ApplicationError


class ActionSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = TransferAction
        fields = ("action", "action_label", "from_state", "to_state", "note", "actor_name", "at")


class TransferSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = Transfer
        fields = (
            "id",
            "uid",
            "kind",
            "kind_label",
            "state",
            "state_label",
            "member",
            "member_name",
            "from_org",
            "from_name",
            "to_org",
            "to_name",
            "other_schema",
            "reason",
            "dues_paid_until",
            "letter_serial",
            "return_reason",
            "created_at",
            "completed_at",
            "actions",
        )


class StartSerializer(serializers.Serializer):
    member = serializers.IntegerField(required=False, help_text="留空为本人申请")
    kind = serializers.ChoiceField(choices=[Kind.WITHIN, Kind.COUNTY_OUT, Kind.CITY_OUT])
    reason = serializers.CharField(max_length=200)
    to_org = serializers.IntegerField(required=False, allow_null=True)
    target_schema = serializers.CharField(max_length=64, required=False, allow_blank=True)
    to_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    dues_until = serializers.DateField(required=False, allow_null=True)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class TransferQuerySerializer(serializers.Serializer):
    """The transfer list's filters (an unknown state or kind is a 400, not every transfer)."""

    state = serializers.ChoiceField(choices=State.choices, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False, allow_blank=True)


@extend_schema_view(list=extend_schema(parameters=[TransferQuerySerializer]))
class TransferViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Transfers into, out of or within the user's subtree, and the user's own."""

    serializer_class = TransferSerializer
    lookup_value_regex = r"\d+"

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        qs = sel.transfers_visible(self.scope).prefetch_related("actions")
        params = query_params(self.request, TransferQuerySerializer)
        if params.get("state"):
            qs = qs.filter(state=params["state"])
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        return qs

    def _reply(self, transfer: Transfer, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_scoped_queryset().filter(pk=transfer.pk).first() or transfer
        return Response(TransferSerializer(fresh).data, status=code)

    @extend_schema(request=StartSerializer, responses=TransferSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scope = self.scope
        incoming = StartSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = incoming.validated_data
        member_id = d.get("member") or scope.member_id
        member = (
            Member.objects.visible_to(scope).filter(pk=member_id).first() if member_id else None
        )
        if member is None:
            raise ApplicationError("党员不存在。", field="member")
        to_org = None
        if d.get("to_org"):
            to_org = Organization.objects.filter(pk=d["to_org"], is_active=True).first()
            if to_org is None:
                raise ApplicationError("接收党组织不存在。", field="to_org")
        transfer = svc.transfer_start(
            scope=scope,
            actor=request.user,
            member=member,
            kind=d["kind"],
            reason=d["reason"],
            to_org=to_org,
            target_schema=d.get("target_schema") or "",
            to_name=d.get("to_name") or "",
            dues_until=d.get("dues_until"),
        )
        return self._reply(transfer, status.HTTP_201_CREATED)

    @extend_schema(request=NoteSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """同意 / 接收 the current step (a within-county receiving step is an acceptance)."""
        incoming = NoteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        transfer = svc.transfer_approve(
            scope=self.scope,
            actor=request.user,
            transfer=self.get_object(),
            note=incoming.validated_data.get("note", ""),
        )
        return self._reply(transfer)

    @extend_schema(request=NoteSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """接收 at the receiving committee or branch of a within-county transfer."""
        transfer = self.get_object()
        if transfer.state not in (State.PENDING_RECEIVER, State.PENDING_RECEIVER_BRANCH):
            raise ApplicationError("该转接当前不在接收环节。")
        return self.approve(request, pk)

    @extend_schema(request=ReasonSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        incoming = ReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        transfer = svc.transfer_return(
            scope=self.scope,
            actor=request.user,
            transfer=self.get_object(),
            reason=incoming.validated_data["reason"],
        )
        return self._reply(transfer)

    @extend_schema(request=None, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        transfer = svc.transfer_withdraw(
            scope=self.scope, actor=request.user, transfer=self.get_object()
        )
        return self._reply(transfer)

    @extend_schema(request=NoteSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, pk: str | None = None) -> Response:
        incoming = NoteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        transfer = svc.transfer_resend(
            scope=self.scope,
            actor=request.user,
            transfer=self.get_object(),
            note=incoming.validated_data.get("note", ""),
        )
        return self._reply(transfer)


class EnvelopeSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = TransferEnvelope
        fields = (
            "id",
            "source_schema",
            "state",
            "state_label",
            "masked_name",
            "from_name",
            "to_name",
            "sent_at",
            "valid_until",
            "decided_at",
            "return_reason",
        )


class AcceptSerializer(serializers.Serializer):
    org = serializers.IntegerField(help_text="编入党支部")


class EnvelopeViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The inbox: envelopes other counties sent to this one (committee level only)."""

    serializer_class = EnvelopeSerializer
    required_permission = Perm.TRANSFERS_MANAGE
    lookup_value_regex = r"[0-9a-fA-F-]{36}"

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        scope = self.scope
        if not sel.receives_envelopes(scope):
            return TransferEnvelope.objects.none()
        qs = TransferEnvelope.objects.filter(target_schema=connection.schema_name)
        if self.action == "list":
            qs = qs.filter(state__in=IN_INBOX)
        return qs.defer("payload") if self.action == "list" else qs

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        envelope = self.get_object()
        data = dict(EnvelopeSerializer(envelope).data)
        if envelope.state == TransferEnvelope.State.SENT:
            data["preview"] = envelope_preview(envelope)
        response = Response(data)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=AcceptSerializer, responses={202: EnvelopeSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        incoming = AcceptSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        envelope = self.get_object()
        scope = self.scope
        org = Organization.objects.filter(pk=incoming.validated_data["org"]).first()
        if org is None or not scope.can(Perm.TRANSFERS_MANAGE, org):
            raise ApplicationError("请选择本人管理范围内的党支部。", field="org")
        envelope = svc.envelope_accept(
            scope=scope, envelope_id=envelope.pk, org=org, actor=request.user
        )
        # 202: the sending county closes its side next, then the member is created here
        # (state 接收中 → 转入中 → 已接收; the accepting user is notified).
        return Response(EnvelopeSerializer(envelope).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=ReasonSerializer, responses=EnvelopeSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        incoming = ReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        envelope = self.get_object()
        svc.envelope_return(
            scope=self.scope,
            envelope_id=envelope.pk,
            actor=request.user,
            reason=incoming.validated_data["reason"],
        )
        envelope.refresh_from_db()
        return Response(EnvelopeSerializer(envelope).data)
