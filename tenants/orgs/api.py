"""Organization tree API: read the scope's tree; adjust it through the same services as
the pages (each adjustment leaves a history row)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tenants.orgs.models import Organization
from tenants.orgs.selectors import org_warnings
from tenants.orgs.services import (
    EDITABLE,
    org_create,
    org_dissolve,
    org_merge,
    org_move,
    org_rename,
    org_update,
)
from zhdj.api import TenantAPIMixin


class OrganizationSerializer(serializers.ModelSerializer):
    parent_id = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = (
            "id",
            "name",
            "short_name",
            "type_code",
            "depth",
            "parent_id",
            "is_active",
            *EDITABLE,
        )

    def get_parent_id(self, obj: Organization) -> int | None:
        return self.context["ids_by_path"].get(obj.path[: -Organization.steplen])


class ChildSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    type_code = serializers.CharField(max_length=32)


class FieldsSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = EDITABLE
        extra_kwargs = {f: {"required": False} for f in EDITABLE}


class RenameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    effective_date = serializers.DateField()
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TargetSerializer(serializers.Serializer):
    target = serializers.IntegerField()
    effective_date = serializers.DateField()
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class DissolveSerializer(serializers.Serializer):
    effective_date = serializers.DateField()
    reason = serializers.CharField(max_length=200)


class OrganizationViewSet(TenantAPIMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganizationSerializer
    filterset_fields = ("type_code",)

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        return Organization.objects.visible_to(self.scope).order_by("path")

    def get_serializer_context(self):  # type: ignore[no-untyped-def]
        # Parents by materialized path: one query instead of one per organization.
        context = super().get_serializer_context()
        fake = getattr(self, "swagger_fake_view", False)
        context["ids_by_path"] = (
            {} if fake else dict(self.get_scoped_queryset().values_list("path", "id"))
        )
        return context

    def _input(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        incoming = serializer_class(data=self.request.data)
        incoming.is_valid(raise_exception=True)
        return dict(incoming.validated_data)

    def _target(self, data: dict[str, Any]) -> Organization:
        target = self.get_scoped_queryset().filter(pk=data.pop("target")).first()
        if target is None:
            raise serializers.ValidationError({"target": ["目标组织不存在或不在您的管理范围内。"]})
        return target

    def _reply(self, org: Organization, code: int = status.HTTP_200_OK) -> Response:
        org = Organization.objects.get(pk=org.pk)
        return Response(self.get_serializer(org).data, status=code)

    def _common(self) -> dict[str, Any]:
        return {"scope": self.scope, "actor": self.request.user}

    @extend_schema(request=ChildSerializer, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"])
    def children(self, request: Request, pk: str | None = None) -> Response:
        d = self._input(ChildSerializer)
        child = org_create(parent=self.get_object(), **d, **self._common())
        return self._reply(child, status.HTTP_201_CREATED)

    @extend_schema(request=FieldsSerializer, responses=OrganizationSerializer)
    @action(detail=True, methods=["patch"])
    def fields(self, request: Request, pk: str | None = None) -> Response:
        values = self._input(FieldsSerializer)
        return self._reply(org_update(org=self.get_object(), values=values, **self._common()))

    @extend_schema(request=RenameSerializer, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"])
    def rename(self, request: Request, pk: str | None = None) -> Response:
        d = self._input(RenameSerializer)
        return self._reply(org_rename(org=self.get_object(), **d, **self._common()))

    @extend_schema(request=TargetSerializer, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        d = self._input(TargetSerializer)
        target = self._target(d)
        return self._reply(
            org_move(org=self.get_object(), new_parent=target, **d, **self._common())
        )

    @extend_schema(request=TargetSerializer, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        d = self._input(TargetSerializer)
        target = self._target(d)
        d.setdefault("reason", "")
        org_merge(source=self.get_object(), target=target, **d, **self._common())
        return self._reply(target)

    @extend_schema(request=DissolveSerializer, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"])
    def dissolve(self, request: Request, pk: str | None = None) -> Response:
        d = self._input(DissolveSerializer)
        return self._reply(org_dissolve(org=self.get_object(), **d, **self._common()))

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"])
    def warnings(self, request: Request) -> Response:
        rows = org_warnings(self.get_scoped_queryset())
        return Response([{"org": w.org_id, "name": w.org_name, "message": w.message} for w in rows])
