from __future__ import annotations

from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "tenants.orgs"
    label = "orgs"
    verbose_name = "党组织"
