"""Party statistics API (党内统计): the figures and tables of ``party_statistics`` as JSON."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.access.permissions import Perm
from tenants.stats.selectors import party_statistics
from zhdj.api import IdField, TenantAPIMixin, query_params
from zhdj.errors import ApplicationError


class StatisticsQuerySerializer(serializers.Serializer):
    org = IdField(required=False, allow_null=True, help_text="组织（含下级）")
    on = serializers.DateField(required=False, help_text="统计日期，默认今天")

    def validate_on(self, value: date) -> date:
        if value > timezone.localdate():
            raise serializers.ValidationError("统计日期不能晚于今天。")
        return value


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class RowSerializer(serializers.Serializer):
    code = serializers.CharField(allow_blank=True)
    name = serializers.CharField()
    count = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class TableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.CharField()
    total = serializers.IntegerField()
    rows = RowSerializer(many=True)


class OrgRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_blank=True)


class StatisticsSerializer(serializers.Serializer):
    org = OrgRefSerializer()
    on = serializers.DateField()
    figures = FigureSerializer(many=True)
    tables = TableSerializer(many=True)


class StatisticsAPIView(TenantAPIMixin, APIView):
    """GET /stats/api/?org=<id>&on=<YYYY-MM-DD>: statistics of a subtree on a date."""

    required_permission = Perm.STATS_VIEW

    @extend_schema(parameters=[StatisticsQuerySerializer], responses=StatisticsSerializer)
    def get(self, request: Request) -> Response:
        params = query_params(request, StatisticsQuerySerializer)
        try:
            stats = party_statistics(
                self.scope,
                org_id=params.get("org"),
                on=params.get("on") or timezone.localdate(),
            )
        except ApplicationError as exc:
            raise NotFound(exc.message) from exc
        return Response(StatisticsSerializer(stats.as_dict()).data)
