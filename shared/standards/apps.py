from __future__ import annotations

from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "shared.standards"
    label = "standards"
    verbose_name = "标准与代码表"
