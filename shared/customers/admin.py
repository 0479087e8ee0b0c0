from __future__ import annotations

from django.contrib import admin

from shared.customers.models import Domain, OnboardingJob, Tenant
from zhdj.admin_scope import PublicOnlyAdmin


@admin.register(Tenant)
class TenantAdmin(PublicOnlyAdmin):
    list_display = ("name", "schema_name", "region_code", "status", "activated_at")
    list_filter = ("status",)
    # Status changes go through the ops pages (services), never a raw edit.
    readonly_fields = (
        "schema_name",
        "status",
        "created_at",
        "activated_at",
        "offboarded_at",
        "offboarded_by",
    )


@admin.register(Domain)
class DomainAdmin(PublicOnlyAdmin):
    list_display = ("domain", "tenant", "is_primary")


@admin.register(OnboardingJob)
class OnboardingJobAdmin(PublicOnlyAdmin):
    list_display = ("schema_name", "state", "progress", "created_at", "finished_at")
    readonly_fields = ("params", "state", "progress", "step", "message", "finished_at")
