"""manage.py seed_demo — the demo city with three districts (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zhdj.demo import seed_demo


class Command(BaseCommand):
    help = "创建演示城市（示范市）及三个区县、组织和账号；可重复执行。"

    def handle(self, *args: Any, **opts: Any) -> None:
        for line in seed_demo():
            self.stdout.write(line)
