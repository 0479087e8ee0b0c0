"""Dues API (read-only): bills and payments, scoped like the pages.

A manager sees the bills of the organizations in their scope; everyone sees their own.
"""

from __future__ import annotations

from django.db.models import Q
from rest_framework import serializers, viewsets

from tenants.access.scope import request_scope
from tenants.dues.models import DuesBill, DuesPayment
from tenants.orgs.models import Organization
from zhdj.api import TenantAPIMixin


class DuesBillSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = DuesBill
        fields = [
            "id",
            "member",
            "member_name",
            "org",
            "month",
            "category_code",
            "base_fen",
            "rate_bp",
            "standard_fen",
            "amount_fen",
            "status",
            "paid_at",
        ]


class DuesPaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = DuesPayment
        fields = [
            "id",
            "order_no",
            "member",
            "channel",
            "status",
            "bills_fen",
            "voluntary_fen",
            "amount_fen",
            "bill_months",
            "receipt_no",
            "paid_at",
        ]


def _visible(request, model):  # type: ignore[no-untyped-def]
    scope = request_scope(request)
    if scope.is_admin:
        return model.objects.all()
    own = Q(member_id=scope.member_id) if scope.member_id is not None else Q(pk__in=[])
    return model.objects.filter(
        Q(org_id__in=Organization.objects.visible_to(scope).values("id")) | own
    )


class DuesBillViewSet(TenantAPIMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = DuesBillSerializer
    filterset_fields = ["month", "status", "member"]

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        return _visible(self.request, DuesBill).select_related("member").order_by("-month", "pk")


class DuesPaymentViewSet(TenantAPIMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = DuesPaymentSerializer
    filterset_fields = ["status", "channel", "member"]

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        return _visible(self.request, DuesPayment).order_by("-created_at", "pk")
