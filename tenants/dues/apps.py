from __future__ import annotations

from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "tenants.dues"
    label = "dues"
    verbose_name = "党费收缴"
