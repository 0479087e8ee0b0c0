"""The password step before a member's full values are edited (查看完整信息): after the
password, the user's session holds the member's id with an expiry; for that member only and
for ``REVEAL_MINUTES`` minutes, the edit form shows and takes the full ID number, phone and
address. Nothing else is kept: the values themselves never go into the session."""

from __future__ import annotations

import time

from django.http import HttpRequest

SESSION_KEY = "members.revealed"
REVEAL_MINUTES = 5


def _grants(request: HttpRequest) -> dict[str, float]:
    grants = request.session.get(SESSION_KEY)
    return grants if isinstance(grants, dict) else {}


def reveal_grant(request: HttpRequest, member_id: int, *, now: float | None = None) -> None:
    """The user confirmed the password for ``member_id`` (the service checked and logged it)."""
    now = time.time() if now is None else now
    grants = {k: v for k, v in _grants(request).items() if v > now}  # expired ones go
    grants[str(member_id)] = now + REVEAL_MINUTES * 60
    request.session[SESSION_KEY] = grants


def reveal_active(request: HttpRequest, member_id: int, *, now: float | None = None) -> bool:
    """Whether the password step for ``member_id`` is still valid in this session."""
    now = time.time() if now is None else now
    until = _grants(request).get(str(member_id))
    return isinstance(until, int | float) and until > now


def reveal_end(request: HttpRequest, member_id: int) -> None:
    """Forget the step for ``member_id`` (after the edit is saved)."""
    grants = _grants(request)
    if str(member_id) in grants:
        grants = {k: v for k, v in grants.items() if k != str(member_id)}
        request.session[SESSION_KEY] = grants
