from __future__ import annotations

from django.apps import AppConfig


class CityOrgConfig(AppConfig):
    name = "shared.cityorg"
    label = "cityorg"
    verbose_name = "市级党组织"
