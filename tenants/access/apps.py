from __future__ import annotations

from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "tenants.access"
    label = "access"
    verbose_name = "职务与权限"
