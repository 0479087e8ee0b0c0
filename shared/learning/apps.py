from __future__ import annotations

from django.apps import AppConfig


class LearningCatalogueConfig(AppConfig):
    name = "shared.learning"
    label = "learning_city"
    verbose_name = "市级学习课程"
