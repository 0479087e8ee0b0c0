from __future__ import annotations

from django.contrib import admin

from shared.standards.models import OrganizationType, Region
from zhdj.admin_scope import PublicOnlyAdmin


@admin.register(Region)
class RegionAdmin(PublicOnlyAdmin):
    list_display = ("code", "name", "level")


@admin.register(OrganizationType)
class OrganizationTypeAdmin(PublicOnlyAdmin):
    list_display = ("code", "name", "rank", "may_approve_members", "term_years")
