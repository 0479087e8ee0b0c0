from __future__ import annotations

from django.contrib import admin

from tenants.orgs.models import Organization
from zhdj.admin_scope import TenantOnlyAdmin


@admin.register(Organization)
class OrganizationAdmin(TenantOnlyAdmin):
    list_display = ("name", "type_code", "depth", "is_active")
    readonly_fields = ("path", "depth", "numchild")
