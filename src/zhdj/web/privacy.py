"""Answers that carry full personal data (完整个人信息) are never stored by a browser or a
proxy: ``Cache-Control: no-store`` (with ``private`` and ``max-age=0``) and ``Pragma:
no-cache`` for old proxies.

One decorator for page views (``@no_store``) and one mixin for API views
(``NoStoreMixin``), used by every page, PDF and endpoint that can show a full ID number,
phone or address (the member edit form and its password step, the reveal answers, the
letter and proof PDFs, the member API)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpResponseBase
from django.utils.cache import add_never_cache_headers


def mark_no_store(response: HttpResponseBase) -> HttpResponseBase:
    """``no-store`` on ``response`` (whatever else it says about caching is replaced)."""
    if response.has_header("Cache-Control"):
        del response["Cache-Control"]
    add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
    response["Pragma"] = "no-cache"
    return response


def no_store(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page view whose answers may carry full personal data."""

    @wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return mark_no_store(view(request, *args, **kwargs))

    wrapped.no_store = True  # type: ignore[attr-defined]
    return wrapped


class NoStoreMixin:
    """An API view (DRF) whose answers may carry full personal data: every answer,
    errors included, is ``no-store``."""

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        return mark_no_store(response)
