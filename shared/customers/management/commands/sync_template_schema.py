"""manage.py sync_template_schema — create or migrate the county template schema."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shared.customers.services import template_ensure


class Command(BaseCommand):
    help = "创建或更新区县模板模式（新区县从它复制）。"

    def handle(self, *args: Any, **opts: Any) -> None:
        template_ensure(verbosity=opts["verbosity"])
        self.stdout.write("template schema is current")
