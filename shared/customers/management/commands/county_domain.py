"""manage.py county_domain — a county's domains from the command line (域名管理)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shared.customers.lifecycle import (
    tenant_domain_add,
    tenant_domain_make_primary,
    tenant_domain_remove,
    tenant_domain_rename,
)
from shared.customers.management.commands._lifecycle import actor, county, refused
from zhdj.errors import ApplicationError

ACTIONS = {
    "rename": (tenant_domain_rename, "主域名已改为 {}，旧域名不再可用。"),
    "add": (tenant_domain_add, "已添加域名 {}。"),
    "remove": (tenant_domain_remove, "已删除域名 {}。"),
    "primary": (tenant_domain_make_primary, "{} 已设为主域名。"),
}


class Command(BaseCommand):
    help = (
        "管理一个区县的域名：更换主域名、添加域名、删除附加域名、设为主域名。"
        "每次操作记入区县变更记录。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--schema", required=True, help="区县标识（数据库模式名），如 yuyang")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--rename", metavar="域名", help="新的主域名（取代现有主域名）")
        group.add_argument("--add", metavar="域名", help="添加一个附加域名")
        group.add_argument("--remove", metavar="域名", help="删除一个附加域名")
        group.add_argument("--primary", metavar="域名", help="把该区县已有的一个域名设为主域名")
        parser.add_argument("--by", default="", help="操作人姓名（记入区县变更记录）")

    def handle(self, *args: Any, **opts: Any) -> None:
        tenant = county(opts["schema"])
        action = next(a for a in ACTIONS if opts.get(a) is not None)
        service, done = ACTIONS[action]
        host = opts[action].strip().lower()
        who = actor("county_domain", opts, ("schema", *ACTIONS))
        try:
            service(tenant=tenant, domain=host, actor=who)
        except ApplicationError as exc:
            raise refused(f"未改动“{tenant.name}”的域名", exc) from exc
        self.stdout.write(self.style.SUCCESS(f"{tenant.name}：" + done.format(host)))
