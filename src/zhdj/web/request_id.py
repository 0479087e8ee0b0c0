"""The request id: nginx's ``$request_id`` in ``X-Request-ID`` (or a new one when a request
comes another way), on every log line written while the request runs (``TenantLogFilter``),
as a Sentry tag, and in the response's ``X-Request-ID`` header — so a county's "the page
failed at 10:32" is one search in the logs."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

import sentry_sdk
from django.http import HttpRequest, HttpResponse

current_request_id: ContextVar[str] = ContextVar("zhdj_request_id", default="-")
_VALID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def _given(value: str | None) -> str | None:
    """A client-chosen id is kept only if it looks like one (no log injection)."""
    return value if value and _VALID.fullmatch(value) else None


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = _given(request.META.get("HTTP_X_REQUEST_ID")) or uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        token = current_request_id.set(rid)
        sentry_sdk.set_tag("request_id", rid)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = rid
        return response
