"""Organization tree API (read-only here; writes come with the member database)."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from tenants.members.scope import request_scope
from tenants.orgs.models import Organization
from zhdj.api import TenantAPIMixin


class OrganizationSerializer(serializers.ModelSerializer):
    parent_id = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ("id", "name", "short_name", "type_code", "depth", "parent_id")

    def get_parent_id(self, obj: Organization) -> int | None:
        return self.context["ids_by_path"].get(obj.path[: -Organization.steplen])


class OrganizationViewSet(TenantAPIMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganizationSerializer
    filterset_fields = ("type_code",)

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        return request_scope(self.request).organizations().order_by("path")

    def get_serializer_context(self):  # type: ignore[no-untyped-def]
        # Parents by materialized path: one query instead of one per organization.
        context = super().get_serializer_context()
        context["ids_by_path"] = dict(self.get_scoped_queryset().values_list("path", "id"))
        return context
