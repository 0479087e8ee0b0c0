from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "zhdj.web"
    label = "web"
    verbose_name = "页面框架"
