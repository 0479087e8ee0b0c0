"""Development records API (read-only): lists and timelines through the user's Scope;
personal values masked."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tenants.access.permissions import Perm
from tenants.development.models import DevelopmentRecord
from tenants.development.timeline import timeline
from zhdj.api import TenantAPIMixin
from zhdj.pii.masking import mask_id_number


class DevelopmentRecordSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    id_number = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = DevelopmentRecord
        fields = (
            "id",
            "name",
            "sex",
            "birth_date",
            "org",
            "org_name",
            "id_number",
            "status",
            "status_display",
            "applied_on",
            "probation_start",
            "probation_end",
            "member",
        )

    def get_id_number(self, obj: DevelopmentRecord) -> str:
        return mask_id_number(obj.id_number)


class DevelopmentRecordViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = DevelopmentRecordSerializer
    filterset_fields = ("status", "org")
    required_permission = Perm.DEVELOPMENT_MANAGE

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        return DevelopmentRecord.objects.visible_to(self.scope).select_related("org").order_by("id")

    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        record = self.get_object()
        return Response(
            [
                {
                    "step": v.step.number,
                    "name": v.step.name,
                    "done": v.done,
                    "pending": v.pending is not None,
                    "next": v.is_next,
                    "due_on": v.due_on,
                    "entries": [
                        {
                            "done_on": e.done_on,
                            "state": e.state,
                            "late_days": e.late_days,
                            "documents": [d.kind for d in e.documents.all()],
                        }
                        for e in v.entries
                    ],
                }
                for v in timeline(record)
            ]
        )
