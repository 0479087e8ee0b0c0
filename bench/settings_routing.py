"""(b) ZHDJ routing: the project's real settings (zhdj.settings.base, with
TenantRoutingMiddleware) plus the bench app as a tenant app, served by the bench URLconf."""

from __future__ import annotations

from bench.common import DB_ROUTING, db_options, force_env

force_env(DB_ROUTING)

from zhdj.settings.base import *  # noqa: E402, F403
from zhdj.settings.base import DATABASES, INSTALLED_APPS, MIDDLEWARE, TENANT_APPS  # noqa: E402

BENCH_CONFIG = "routing"
DEBUG = False
TENANT_APPS = [*TENANT_APPS, "bench.routingapp"]
INSTALLED_APPS = [*INSTALLED_APPS, "bench.routingapp"]
ROOT_URLCONF = "bench.routingapp.urls"  # the tenant URLconf; PUBLIC_SCHEMA_URLCONF unchanged
MIDDLEWARE = list(MIDDLEWARE)
ROUTING = MIDDLEWARE.index("zhdj.tenancy.middleware.TenantRoutingMiddleware")
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["OPTIONS"] = db_options(f"zhdj_bench_{BENCH_CONFIG}")
