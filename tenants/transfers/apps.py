from __future__ import annotations

from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "tenants.transfers"
    label = "transfers"
    verbose_name = "组织关系转接"
