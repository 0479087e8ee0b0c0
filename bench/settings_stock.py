"""(c) Stock django-tenants: as (b) with TenantMainMiddleware in TenantRoutingMiddleware's place
(the baseline)."""

from __future__ import annotations

from bench.common import db_options
from bench.settings_routing import *  # noqa: F403
from bench.settings_routing import DATABASES, MIDDLEWARE, ROUTING

BENCH_CONFIG = "stock"
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE[ROUTING] = "django_tenants.middleware.main.TenantMainMiddleware"
DATABASES["default"]["OPTIONS"] = db_options(f"zhdj_bench_{BENCH_CONFIG}")
