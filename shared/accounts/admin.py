from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from shared.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """The user table of the host's own schema (city users on the city site)."""

    list_display = ("username", "full_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("基本信息", {"fields": ("full_name", "role")}),
        (
            "权限",
            {"fields": ("is_active", "manages_accounts", "is_staff", "is_superuser", "groups")},
        ),
        ("密码", {"fields": ("must_change_password", "password_changed_at")}),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "full_name", "role", "password1", "password2")}),
    )
