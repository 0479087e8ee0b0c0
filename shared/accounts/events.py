"""The security event log (安全审计日志): one call writes one row, in the schema of the
site the request came to (public for the city and ops, the county's own otherwise).

``record`` never raises: an event that cannot be written is logged as an error and the
user's action goes on (the database refusing an insert is the only way it fails, and then
the action itself cannot succeed either).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection
from django.http import HttpRequest

from shared.accounts.models import SecurityEvent
from zhdj.web.client import client_ip
from zhdj.web.history import current_request

Kind = SecurityEvent.Kind
log = logging.getLogger(__name__)


def record(
    kind: str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    username: str = "",
    target: str = "",
    detail: str = "",
    ok: bool = True,
) -> SecurityEvent | None:
    """Write one event. ``user`` defaults to the request's signed-in user; ``username``
    names one who is not signed in (a failed login). Without ``request``, the request
    being answered (a service called by a page) gives the address and page."""
    if request is None:
        request = current_request.get()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    user_id = user.pk if user is not None else None
    if user is not None:
        username = user.get_username()
        site = getattr(getattr(request, "tenant", None), "schema_name", "public")
        if request is not None and connection.schema_name != site:
            # Written in another schema than the user's site (ops acting in a county): the
            # id would name another user there; the name says where the user is from.
            user_id, username = None, f"{username}（{_site_label(request)}）"
    try:
        return SecurityEvent.objects.create(
            kind=kind,
            user_id=user_id,
            username=username[:64],
            ip=client_ip(request) if request is not None else None,
            path=request.path[:300] if request is not None else "",
            target=str(target)[:200],
            detail=str(detail)[:500],
            ok=ok,
        )
    except Exception:  # the act goes on; the failure is reported where operators look
        log.exception("security event %s not written", kind)
        return None


def _site_label(request: HttpRequest) -> str:
    tenant = getattr(request, "tenant", None)
    return "市级平台" if tenant is None else tenant.name
