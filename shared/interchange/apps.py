from __future__ import annotations

from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "shared.interchange"
    label = "interchange"
    verbose_name = "跨区县交换"
