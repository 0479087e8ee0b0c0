from __future__ import annotations

from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "tenants.development"
    label = "development"
    verbose_name = "发展党员"
