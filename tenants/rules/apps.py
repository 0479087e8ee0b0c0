from __future__ import annotations

from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "tenants.rules"
    label = "rules"
    verbose_name = "规则参数"
