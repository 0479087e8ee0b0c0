from __future__ import annotations

from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "tenants.teams"
    label = "teams"
    verbose_name = "班子与职务"
