"""Admin for power users (county site only). Personal values stay masked here; the full
value is revealed only on the member page, after the password, and logged."""

from __future__ import annotations

from django.contrib import admin

from tenants.access.models import Post
from tenants.members.models import EditProposal, Member, MemberStatusChange
from zhdj.admin_scope import TenantOnlyAdmin
from zhdj.pii.masking import mask_address, mask_id_number, mask_phone


@admin.register(Member)
class MemberAdmin(TenantOnlyAdmin):
    list_display = ("name", "org", "category_code", "party_status_code", "masked_id")
    list_filter = ("category_code", "party_status_code", "sex")
    search_fields = ("name", "name_initials", "name_pinyin")
    list_select_related = ("org",)
    # Status changes are actions (services), encrypted values never shown in clear.
    exclude = ("id_number", "phone", "address")
    readonly_fields = (
        "masked_id",
        "masked_phone",
        "masked_address",
        "party_status_code",
        "lost_contact",
        "lost_contact_at",
        "lost_contact_code",
    )

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False  # registration validates ID numbers: use the member pages

    @admin.display(description="公民身份号码")
    def masked_id(self, obj: Member) -> str:
        return mask_id_number(obj.id_number)

    @admin.display(description="手机号")
    def masked_phone(self, obj: Member) -> str:
        return mask_phone(obj.phone)

    @admin.display(description="家庭住址")
    def masked_address(self, obj: Member) -> str:
        return mask_address(obj.address)


@admin.register(MemberStatusChange)
class MemberStatusChangeAdmin(TenantOnlyAdmin):
    list_display = ("member", "action", "effective_date", "actor")
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Post)
class PostAdmin(TenantOnlyAdmin):
    list_display = ("org", "member", "post_code", "started_at", "ended_at")
    list_filter = ("post_code",)
    list_select_related = ("org", "member")


@admin.register(EditProposal)
class EditProposalAdmin(TenantOnlyAdmin):
    list_display = ("member", "status", "created_at", "decided_at")
    exclude = ("changes",)
