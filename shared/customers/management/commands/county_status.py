"""manage.py county_status — suspend or resume a county (暂停 / 恢复服务)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shared.customers.management.commands._lifecycle import actor, county, refused
from shared.customers.services import tenant_resume, tenant_suspend
from zhdj.errors import ApplicationError


class Command(BaseCommand):
    help = "暂停或恢复一个区县的服务。每次操作记入区县变更记录。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--schema", required=True, help="区县标识（数据库模式名）")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--suspend", metavar="原因", help="暂停服务，并写明原因")
        group.add_argument("--resume", action="store_true", help="恢复服务")
        parser.add_argument("--by", default="", help="操作人姓名（记入区县变更记录）")

    def handle(self, *args: Any, **opts: Any) -> None:
        tenant = county(opts["schema"])
        who = actor("county_status", opts, ("schema", "suspend", "resume"))
        try:
            if opts["resume"]:
                tenant_resume(tenant=tenant, actor=who)
                done = "已恢复"
            else:
                tenant_suspend(tenant=tenant, reason=opts["suspend"], actor=who)
                done = "已暂停"
        except ApplicationError as exc:
            raise refused(f"未改动“{tenant.name}”", exc) from exc
        self.stdout.write(self.style.SUCCESS(f"{done} {tenant.name}（{tenant.schema_name}）。"))
