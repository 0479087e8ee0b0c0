from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "zhdj.web"
    label = "web"
    verbose_name = "页面框架"

    def ready(self) -> None:
        # The production start-up checks (tag zhdj_production): migrate, check, runserver.
        from zhdj import checks  # noqa: F401
