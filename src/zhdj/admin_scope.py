"""Admin registrations say which site they belong to.

The admin registry is global, but public tables are visible from a county
connection through the search_path: a public-only model must never appear in a
county's admin, nor a county model in the city's.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest


def _on_public(request: HttpRequest) -> bool:
    return getattr(request, "tenant", None) is None


class PublicOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _on_public(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _on_public(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _on_public(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _on_public(request) and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _on_public(request) and super().has_delete_permission(request, obj)


class TenantOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return not _on_public(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return not _on_public(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return not _on_public(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not _on_public(request) and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return not _on_public(request) and super().has_delete_permission(request, obj)


class ReadOnlyAdmin:
    """Mixin (before the ``ModelAdmin`` base): the rows are seen here, never added, changed
    or deleted (they move through the services, or are history)."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
