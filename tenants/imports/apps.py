from __future__ import annotations

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "tenants.imports"
    label = "imports"
    verbose_name = "Excel 导入导出"
