"""The payment-order registry in the admin.

``PaymentOrder`` lives in public, so a county's connection sees the whole table through
its search_path: a county site's /admin/ would list every county's orders. On a county
site the list holds that county's own orders only (by ``schema_name``); on the city site
only an operator (运维) sees it, all counties. Nobody adds, edits or deletes an order
here: the rows are written by the dues payment flow in the same transaction as the
county's order.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from shared.payments.models import PaymentOrder
from zhdj.admin_scope import ReadOnlyAdmin
from zhdj.formats import yuan


def _schema(request: HttpRequest) -> str | None:
    tenant = getattr(request, "tenant", None)
    return getattr(tenant, "schema_name", None) if tenant is not None else None


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("order_no", "schema_name", "channel", "amount", "created_at")
    search_fields = ("order_no",)
    readonly_fields = ("order_no", "schema_name", "channel", "amount", "created_at")

    @admin.display(description="金额（元）", ordering="amount_fen")
    def amount(self, order: PaymentOrder) -> str:
        return yuan(order.amount_fen)

    def _allowed(self, request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_active or not user.is_staff:
            return False
        if _schema(request) is None:  # the city site: operators only
            return bool(getattr(user, "is_ops", False))
        return True  # a county site: its own rows only (get_queryset)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PaymentOrder]:
        queryset = super().get_queryset(request)
        schema = _schema(request)
        if schema is not None:
            return queryset.filter(schema_name=schema)
        if not self._allowed(request):
            return queryset.none()
        return queryset

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        if not self._allowed(request):
            return False
        if obj is not None and _schema(request) not in (None, obj.schema_name):
            return False
        return super().has_view_permission(request, obj)
