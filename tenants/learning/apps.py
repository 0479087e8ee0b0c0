from __future__ import annotations

from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "tenants.learning"
    label = "learning"
    verbose_name = "学习教育"
