"""Error pages in Chinese, rendered in the schema of the host that was asked.

Under ASGI (daphne), Django renders an exception's response with
``sync_to_async(response_for_exception, thread_sensitive=False)``: in a thread-pool thread
whose database connection is not the one the tenant middleware pointed at the county's
schema. A 403 or 404 page (navigation, the signed-in user) then ran its queries in
whatever schema that thread's connection last had: ``relation "members_member" does not
exist`` for a member opening an administrator's page, or another schema's rows. Each
handler here therefore enters the request's schema itself and leaves the connection as it
found it, and closes a connection it had to open (a pool thread would otherwise keep one
per thread, outside Django's per-request connection handling).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

Handler = Callable[..., HttpResponse]


def in_request_schema(handler: Handler) -> Handler:
    @wraps(handler)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        public = schema_context(get_public_schema_name())
        opened_here = connection.connection is None
        try:
            with tenant_context(tenant) if tenant is not None else public:
                return handler(request, *args, **kwargs)
        finally:
            if opened_here:
                connection.close()

    return wrapper


@in_request_schema
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


@in_request_schema
def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    record_denial(request, str(exception or ""))
    return render(request, "errors/403.html", status=403)


def record_denial(request: HttpRequest, detail: str = "") -> None:
    """One security event (DENIED) per refusal: every 403 page (``forbidden``, Django's
    handler for PermissionDenied, which the page guards and scoped pages raise) and every
    403 of the API (``zhdj.api.exception_handler``) comes through here. Written in the
    schema of the site asked, like the user it names."""
    from shared.accounts.events import Kind, record

    record(Kind.DENIED, request=request, detail=detail, ok=False)


@in_request_schema
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


@in_request_schema
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's own CSRF page is in English; a stale form gets a Chinese one."""
    return render(request, "errors/csrf.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """No database and no context processors (no request context): it must render
    whatever failed, an aborted transaction included. A database or Redis outage gets
    the Chinese 503 page instead (zhdj.web.failure)."""
    from zhdj.web.failure import outage_for_server_error

    outage = outage_for_server_error(request)
    if outage is not None:
        return outage
    return HttpResponse(render_to_string("errors/500.html"), status=500)
