"""Who, where from and which address, attached to every audit row the triggers write
(django-pghistory's context), and the request at hand for the security event log.

The client address is ``zhdj.web.client.client_ip``'s: read from the right of
``X-Forwarded-For`` past the platform's own proxies, never the leftmost entry a client
writes itself. The request is also kept in a context variable for the length of the
request, so that a service writing a security event (a post appointed, a login reset)
records the address and page without being handed the request.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse
from pghistory.middleware import HistoryMiddleware as PghistoryMiddleware

from zhdj.web.client import client_ip

current_request: ContextVar[HttpRequest | None] = ContextVar("zhdj_request", default=None)


class HistoryMiddleware(PghistoryMiddleware):
    def get_context(self, request: HttpRequest) -> dict[str, Any]:
        return {**super().get_context(request), "ip": client_ip(request)}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return super().__call__(request)
        finally:
            current_request.reset(token)
