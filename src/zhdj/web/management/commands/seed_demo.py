"""manage.py seed_demo — the demo city with three districts (idempotent).

Demo accounts share a published password, so the command refuses to run unless the
settings are a developer's (``DEBUG``) or the demo was asked for (``ZHDJ_DEMO=1``,
scripts/demo.sh), and never under the production settings. It leaves a marker in public
(zhdj.checks.DEMO_MARKER_TABLE) that the production start-up check refuses.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhdj.checks import demo_marker_write, is_production
from zhdj.demo import seed_demo


def refusal() -> str | None:
    """Why the demo may not be seeded here, or None."""
    if is_production():
        return "生产配置下不得创建演示数据（演示账号使用公开密码）。"
    if not settings.DEBUG and os.environ.get("ZHDJ_DEMO") != "1":
        return "只有开发环境（DJANGO_DEBUG=1）或演示环境（ZHDJ_DEMO=1）可以创建演示数据。"
    return None


class Command(BaseCommand):
    help = "创建演示城市（示范市）及三个区县、组织和账号；可重复执行。"

    def handle(self, *args: Any, **opts: Any) -> None:
        reason = refusal()
        if reason:
            raise CommandError(reason)
        demo_marker_write()
        for line in seed_demo():
            self.stdout.write(line)
