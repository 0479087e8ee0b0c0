from __future__ import annotations

from django.apps import AppConfig


class LoginsConfig(AppConfig):
    name = "tenants.logins"
    label = "logins"
    verbose_name = "登录账号"
