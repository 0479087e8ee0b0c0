from __future__ import annotations

from django.apps import AppConfig


class RollupsConfig(AppConfig):
    name = "shared.rollups"
    label = "rollups"
    verbose_name = "城市汇总"
