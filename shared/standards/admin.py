from __future__ import annotations

from django.contrib import admin

from shared.standards.models import Code, OrganizationType, Region
from zhdj.admin_scope import PublicOnlyAdmin, ReadOnlyAdmin


@admin.register(Region)
class RegionAdmin(PublicOnlyAdmin):
    list_display = ("code", "name", "level")


@admin.register(OrganizationType)
class OrganizationTypeAdmin(PublicOnlyAdmin):
    list_display = ("code", "name", "rank", "may_approve_members", "term_years")


@admin.register(Code)
class CodeAdmin(ReadOnlyAdmin, PublicOnlyAdmin):
    """Read-only: code tables change by data migration only (selectors cache them per
    process, and every database must hold the same codes)."""

    list_display = ("table", "code", "name", "parent_code", "sort", "is_active")
    list_filter = ("table", "is_active")
    search_fields = ("code", "name")


# The holiday calendar (CalendarYear / CalendarDay) registers itself there.
from shared.standards import calendar_admin  # noqa: E402, F401
