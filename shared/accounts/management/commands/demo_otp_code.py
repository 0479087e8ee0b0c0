"""manage.py demo_otp_code — the demo's current 动态验证码 (one published secret for every
demo account that requires the second factor). Refused outside DEBUG / ZHDJ_DEMO=1."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shared.accounts.otp import DEMO_SECRET_BASE32, demo_code, demo_refusal


class Command(BaseCommand):
    help = "显示演示账号当前的动态验证码（仅开发或演示环境）。"

    def handle(self, *args: Any, **opts: Any) -> None:
        reason = demo_refusal()
        if reason:
            raise CommandError(reason)
        code, left = demo_code()
        self.stdout.write(f"动态验证码：{code}（{left} 秒内有效；同一账号每个验证码只能使用一次）")
        self.stdout.write(f"演示密钥：{DEMO_SECRET_BASE32}（可添加到手机动态口令应用）")
