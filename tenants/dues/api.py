"""Dues API (read-only): bills and payments, scoped like the pages.

Those whose posts carry dues.manage see the bills and payments of those subtrees
(``visible_to(self.scope)``); everyone sees their own.
"""

from __future__ import annotations

from rest_framework import serializers, viewsets

from tenants.dues.models import DuesBill, DuesPayment
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


class DuesBillViewSet(TenantAPIMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = DuesBillSerializer
    filterset_fields = ["month", "status", "member"]

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        bills = DuesBill.objects.visible_to(self.scope)
        return bills.select_related("member").order_by("-month", "pk")


class DuesPaymentViewSet(TenantAPIMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = DuesPaymentSerializer
    filterset_fields = ["status", "channel", "member"]

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        return DuesPayment.objects.visible_to(self.scope).order_by("-created_at", "pk")
