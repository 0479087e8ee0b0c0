from __future__ import annotations

from django.contrib import admin

from shared.payments.models import PaymentOrder


@admin.register(PaymentOrder)
class PaymentOrderAdmin(admin.ModelAdmin):
    list_display = ("order_no", "schema_name", "channel", "amount_fen", "created_at")
    search_fields = ("order_no",)
    readonly_fields = ("order_no", "schema_name", "channel", "amount_fen", "created_at")
