"""manage.py onboard_district — open a county/district (the ops team's command)."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shared.customers.services import OnboardingRequest, tenant_onboard
from shared.customers.trail import Actor
from zhdj.errors import ApplicationError


class Command(BaseCommand):
    help = "开通一个区县：创建数据库模式、域名、区县党委根组织和首位管理员。可安全重复执行。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--name", required=True, help="区县名称，如 榆阳区")
        parser.add_argument("--region-code", required=True, help="GB/T 2260 代码，如 610802")
        parser.add_argument("--schema", required=True, help="标识（数据库模式名），如 yuyang")
        parser.add_argument("--domain", required=True, help="域名，如 yuyang.localhost")
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-name", required=True, help="管理员姓名")
        parser.add_argument(
            "--admin-password-env",
            default="ZHDJ_ADMIN_PASSWORD",
            help="读取管理员密码的环境变量（未设置时交互输入）",
        )
        parser.add_argument("--method", choices=["auto", "clone", "migrate"], default="auto")

    def handle(self, *args: Any, **opts: Any) -> None:
        password = os.environ.get(opts["admin_password_env"]) or ""
        if not password:
            password = getpass.getpass("管理员密码：")
        req = OnboardingRequest(
            name=opts["name"],
            region_code=opts["region_code"],
            schema_name=opts["schema"],
            domain=opts["domain"],
            admin_username=opts["admin_username"],
            admin_full_name=opts["admin_name"],
            admin_password=password,
        )

        def progress(pct: int, step: str) -> None:
            self.stdout.write(f"[{pct:3d}%] {step}")

        try:
            result = tenant_onboard(
                req, progress=progress, method=opts["method"], actor=Actor.command(sys.argv)
            )
        except ApplicationError as exc:
            lines = [
                f"{field}: {msg}"
                for field, msgs in exc.extra.get("errors", {}).items()
                for msg in msgs
            ] or [exc.message]
            raise CommandError("开通失败，未创建任何数据：\n  " + "\n  ".join(lines)) from exc
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已开通 {result.tenant.name}（{result.method}，{result.seconds:.2f} 秒）"
                )
            )
        else:
            self.stdout.write(f"{result.tenant.name} 此前已开通，未做改动。")
