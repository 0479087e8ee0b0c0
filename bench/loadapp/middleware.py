"""The baseline of bench/load.py: one county served with tenant routing bypassed.

``FixedTenantMiddleware`` takes the place of ``TenantRoutingMiddleware``: no host
lookup, no host map, no status check — the county named by ``BENCH_FIXED_SCHEMA`` is
loaded once per process and the connection is kept on its schema, as a single-tenant
deployment of the same application would. Everything after it (sessions, auth, the
views, the templates, the queries) is the same code.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse

from shared.customers.models import Tenant
from zhdj.tenancy.middleware import use_schema


class FixedTenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.tenant: Tenant | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.tenant is None:
            connection.set_schema_to_public()
            self.tenant = Tenant.objects.get(schema_name=os.environ["BENCH_FIXED_SCHEMA"])
        use_schema(self.tenant)
        request.tenant = self.tenant
        request.is_public_site = False
        return self.get_response(request)
