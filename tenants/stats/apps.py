from __future__ import annotations

from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "tenants.stats"
    label = "stats"
    verbose_name = "党内统计"
