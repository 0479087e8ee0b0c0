"""bench/load.py baseline: the project's settings on the load database with
``TenantRoutingMiddleware`` replaced by ``bench.loadapp.middleware.FixedTenantMiddleware``
(one county, tenant routing bypassed). Everything else as bench/settings_members.py."""

from __future__ import annotations

from bench.settings_members import *  # noqa: F403
from bench.settings_members import MIDDLEWARE

MIDDLEWARE = list(MIDDLEWARE)
MIDDLEWARE[MIDDLEWARE.index("zhdj.tenancy.middleware.TenantRoutingMiddleware")] = (
    "bench.loadapp.middleware.FixedTenantMiddleware"
)
