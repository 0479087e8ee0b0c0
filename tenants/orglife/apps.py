from __future__ import annotations

from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    name = "tenants.orglife"
    label = "orglife"
    verbose_name = "组织生活"
