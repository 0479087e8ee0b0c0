"""manage.py offboard_district — drop a suspended county for good (注销区县)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shared.customers.lifecycle import tenant_offboard
from shared.customers.management.commands._lifecycle import actor, county, refused
from zhdj.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "注销一个已暂停的区县：删除其数据库模式、域名和上传文件，区县记录保留为“已注销”。"
        "须输入区县全称确认；没有最近的备份时须加 --backup-confirmed（我确认已另行备份）。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--schema", required=True, help="区县标识（数据库模式名）")
        parser.add_argument("--confirm-name", required=True, help="区县全称，须与登记的名称一致")
        parser.add_argument(
            "--backup-confirmed",
            action="store_true",
            help="我确认已另行备份（没有最近的区县备份时必须）",
        )
        parser.add_argument("--by", default="", help="操作人姓名（记入区县变更记录）")

    def handle(self, *args: Any, **opts: Any) -> None:
        tenant = county(opts["schema"])
        who = actor("offboard_district", opts, ("schema", "confirm_name", "backup_confirmed"))

        def progress(pct: int, step: str) -> None:
            self.stdout.write(f"[{pct:3d}%] {step}")

        try:
            tenant_offboard(
                tenant=tenant,
                confirm_name=opts["confirm_name"],
                backup_confirmed=opts["backup_confirmed"],
                actor=who,
                progress=progress,
            )
        except ApplicationError as exc:
            raise refused(f"未注销“{tenant.name}”", exc) from exc
        self.stdout.write(self.style.SUCCESS(f"已注销 {tenant.name}（{tenant.schema_name}）。"))
