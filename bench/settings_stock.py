"""(c) Stock django-tenants: as (b) but MIDDLEWARE[0] = TenantMainMiddleware (the baseline)."""

from __future__ import annotations

from bench.common import db_options
from bench.settings_routing import *  # noqa: F403
from bench.settings_routing import DATABASES, MIDDLEWARE

BENCH_CONFIG = "stock"
MIDDLEWARE = ["django_tenants.middleware.main.TenantMainMiddleware", *MIDDLEWARE[1:]]
DATABASES["default"]["OPTIONS"] = db_options(f"zhdj_bench_{BENCH_CONFIG}")
