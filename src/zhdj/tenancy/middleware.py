"""Request → tenant schema, at most one ``SET search_path`` per request.

Replaces django-tenants' ``TenantMainMiddleware`` (which sets the schema to public,
queries the Domain table, then sets the tenant schema: three statements on every
request). Here the host map comes from :mod:`shared.customers.routing` and the
connection is switched only when it is not already on the tenant's schema.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import set_urlconf

from shared.customers.models import Tenant
from shared.customers.routing import resolver
from zhdj.observability import tag_tenant
from zhdj.probes import PROBE_PATHS

# Paths a suspended or provisioning county still answers (health checks, assets).
ALWAYS_OPEN_PREFIXES = (*PROBE_PATHS, "/static/")


def use_schema(tenant: Tenant | None) -> None:
    """Point the connection at ``tenant`` (None: public) without a redundant SET.

    django-tenants' ``set_tenant`` forgets the current search_path and so costs a
    ``SET`` on the next query even when nothing changed; skip it when the
    connection already has exactly this schema set (the common case with
    persistent connections).
    """
    schema = tenant.schema_name if tenant is not None else "public"
    already_set = connection.search_path_set_schemas is not None
    if connection.schema_name == schema and already_set and connection.include_public_schema:
        if tenant is not None:
            connection.tenant = tenant
        return
    if tenant is None:
        connection.set_schema_to_public()
    else:
        connection.set_tenant(tenant)


class TenantRoutingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        resolver.start()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            host = request.get_host().split(":", 1)[0].lower().rstrip(".")
        except DisallowedHost:
            use_schema(None)
            return render(request, "errors/unknown_host.html", status=400)

        route = resolver.resolve(host)
        if route is None:
            use_schema(None)
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            return render(request, "errors/unknown_host.html", {"host": host}, status=404)

        use_schema(route.tenant)
        request.tenant = route.tenant
        request.is_public_site = route.is_public
        tag_tenant(connection.schema_name)
        if route.is_public:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
        elif route.tenant.status != Tenant.Status.ACTIVE and not request.path.startswith(
            ALWAYS_OPEN_PREFIXES
        ):
            return render(
                request, "errors/tenant_unavailable.html", {"tenant": route.tenant}, status=503
            )
        return self.get_response(request)
