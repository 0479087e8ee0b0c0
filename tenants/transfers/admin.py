"""Admin of transfers (county site only). Everything here is history: transfers move
only through the services (state machine, both counties in one transaction), letters are
snapshots of what was printed, and the action log is append-only in the database. So the
admin is read-only; personal values of letters stay masked."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from tenants.transfers.models import Letter, ProofLetter, Retention, Transfer, TransferAction
from zhdj.admin_scope import ReadOnlyAdmin, TenantOnlyAdmin
from zhdj.pii.masking import mask_id_number, mask_phone


class ReadOnlyTenantAdmin(ReadOnlyAdmin, TenantOnlyAdmin):
    pass


class ActionInline(admin.TabularInline):
    model = TransferAction
    fields = ("at", "action", "from_state", "to_state", "actor_name", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Transfer)
class TransferAdmin(ReadOnlyTenantAdmin):
    list_display = ("member", "kind", "state", "from_name", "to_name", "created_at")
    list_filter = ("kind", "state")
    search_fields = ("member__name", "letter_serial", "from_name", "to_name")
    list_select_related = ("member",)
    inlines = (ActionInline,)


@admin.register(TransferAction)
class TransferActionAdmin(ReadOnlyTenantAdmin):
    list_display = ("transfer", "action", "from_state", "to_state", "actor_name", "at")
    list_filter = ("action",)


@admin.register(Letter)
class LetterAdmin(ReadOnlyTenantAdmin):
    list_display = ("serial", "name", "to_name", "issued_on", "valid_until", "receipt_on")
    search_fields = ("serial", "name")
    exclude = ("id_number", "phone", "token")
    readonly_fields = ("masked_id", "masked_phone")

    @admin.display(description="公民身份号码")
    def masked_id(self, obj: Letter) -> str:
        return mask_id_number(obj.id_number)

    @admin.display(description="党员联系电话")
    def masked_phone(self, obj: Letter) -> str:
        return mask_phone(obj.phone)


@admin.register(ProofLetter)
class ProofLetterAdmin(ReadOnlyTenantAdmin):
    list_display = ("serial", "member", "destination", "months", "issued_on", "valid_until")
    search_fields = ("serial", "member__name")
    list_select_related = ("member",)


@admin.register(Retention)
class RetentionAdmin(ReadOnlyTenantAdmin):
    list_display = ("member", "org", "started_on", "ends_on", "ended_on")
    list_select_related = ("member", "org")
