"""Requests through Django's ASGI handler, as daphne serves them (the view and the error
handlers then run in different threads, as in production)."""

from __future__ import annotations

from django.test import AsyncClient


class HostAsyncClient(AsyncClient):
    """An AsyncClient for one host. Django's puts ``host: testserver`` in every request's
    headers (and a ``host`` given to its constructor arrives as ``http-host``): replace it."""

    def __init__(self, host: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.host = host

    def _base_scope(self, **request):  # type: ignore[no-untyped-def]
        scope = super()._base_scope(**request)
        headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
        scope["headers"] = [(b"host", self.host.encode("ascii")), *headers]
        return scope
