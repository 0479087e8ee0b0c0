"""Login lockout (登录失败处理): django-axes with three counters, and the page 登录锁定.

Failed logins are counted by django-axes in the database of the site's own schema (public
for the city and ops, the county's schema on a county site: one county's failures never
lock another county's user of the same name), never in Redis, so logging in keeps
working while the cache is down. Three counters, each over the last ``AXES_COOLOFF_TIME``
(default 30 minutes), each with its own limit (settings, from the environment):

- a login name from one address (``AXES_FAILURE_LIMIT``, default 5): the usual case, a
  user who forgot the password or someone guessing it from one machine;
- one address, whatever names it types (``ZHDJ_LOGIN_IP_FAILURE_LIMIT``, default 20):
  one machine trying many names (password spraying);
- one login name, from any address (``ZHDJ_LOGIN_USER_FAILURE_LIMIT``, default 20; 0 turns
  it off): guessing one account from many machines. It lets a stranger lock an account
  for the cool-off time: the price of stopping distributed guessing, and why the
  security administrator can unlock.

axes compares one number to one limit; ``LockoutHandler.get_failures`` therefore scales
each counter to the first limit (``failures × limit₁ ÷ limitₖ``, rounded down: it reaches
limit₁ exactly when the counter reaches its own limit). A successful login clears the
counter of that name from that address only (the other two would let an attacker who owns
one account clear its address by logging in).

The client address is ``zhdj.web.client.client_ip`` (``AXES_CLIENT_IP_CALLABLE``), read
from the right of X-Forwarded-For. A locked login gets the login page again with the
time left, status 429 (``lockout_response``), never axes' English page; every failure
tells how many attempts remain, counted for the name typed whether or not it exists.

Unlocking (解锁) is the security administrator's (安全管理员), and on the city site also the
ops team's: the page lists the current locks and releases one (SecurityEvent ACCOUNT).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.middleware import AxesMiddleware
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shared.accounts import events
from shared.accounts.roles import Duty, has_duty, roles_with
from zhdj.errors import AccessDenied
from zhdj.web.access import SCOPED, public_page, scoped_page

log = logging.getLogger(__name__)

# Who may see and release locks (三员分立, shared/accounts/roles.py): the security
# administrator; on the city site also ops (no ops user exists in a county).
UNLOCKERS = roles_with(Duty.LOCKOUTS)

# The counters, in the order of ``AXES_LOCKOUT_PARAMETERS``.
USER_IP, IP, USER = "user_ip", "ip", "user"
KIND_LABELS = {USER_IP: "用户名＋IP", IP: "IP 地址", USER: "用户名"}


def limits() -> dict[str, int]:
    """Each counter's limit; 0: the counter is off."""
    return {
        USER_IP: int(settings.AXES_FAILURE_LIMIT),
        IP: int(settings.ZHDJ_LOGIN_IP_FAILURE_LIMIT),
        USER: int(settings.ZHDJ_LOGIN_USER_FAILURE_LIMIT),
    }


def cool_off() -> timedelta:
    return get_cool_off() or settings.AXES_COOLOFF_TIME


def minutes_left(until: datetime | None) -> int:
    if until is None:
        return math.ceil(cool_off().total_seconds() / 60)
    return max(1, math.ceil((until - timezone.now()).total_seconds() / 60))


# ------------------------------------------------------------------------------
# axes: backend, handler, middleware, lockout answer
# ------------------------------------------------------------------------------
class LockoutBackend(AxesStandaloneBackend):
    """axes' backend (first in ``AUTHENTICATION_BACKENDS``): refuses a locked login before
    the password is checked. A call without a request (a script, a test checking a
    password) is no login from a client: it is left to the next backend. A refusal is
    marked on the request, so the login log tells it from a wrong password."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        try:
            return super().authenticate(request, *args, **kwargs)
        except AxesBackendPermissionDenied:
            request.zhdj_login_locked = True  # type: ignore[attr-defined]
            raise


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per counter (module docstring)."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        querysets = self.get_user_attempts(request, credentials)
        limit = limits()
        first = limit[USER_IP]
        scaled, remaining, until = 0, None, None
        for kind, attempts in zip((USER_IP, IP, USER), querysets, strict=False):
            own = limit[kind]
            if own <= 0:
                continue
            totals = attempts.aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
            count = totals["n"] or 0
            scaled = max(scaled, count * first // own)
            left = own - count
            remaining = left if remaining is None else min(remaining, left)
            if left <= 0 and totals["last"] is not None:
                end = totals["last"] + cool_off()
                until = end if until is None else max(until, end)
        request.zhdj_login_remaining = max(0, remaining if remaining is not None else first)  # type: ignore[attr-defined]
        request.zhdj_locked_until = until  # type: ignore[attr-defined]
        return scaled

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """After a successful login: that name from that address only."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username,
            ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        ).delete()
        return count


class LockoutMiddleware(AxesMiddleware):
    """axes' middleware, with its ASGI path handing the view's response to the lockout
    answer as the WSGI path does (axes 8.3 passes the credentials in its place)."""

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        response = await self.get_response(request)
        if settings.AXES_ENABLED and getattr(request, "axes_locked_out", None):
            credentials = getattr(request, "axes_credentials", None)
            return lockout_response(request, response, credentials)
        return response


LOCKED_MESSAGE = "登录失败次数过多，已暂时锁定。请 {minutes} 分钟后再试，或联系安全管理员解锁。"
REMAINING_MESSAGE = "再输错 {n} 次将锁定 {minutes} 分钟。"


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the login page the view rendered (its form says why and
    for how long, ``login_error``), answered 429. Elsewhere a plain Chinese page."""
    if isinstance(original_response, HttpResponse) and original_response.status_code == 200:
        original_response.status_code = 429
        original_response.reason_phrase = "Too Many Requests"
        return original_response
    text = LOCKED_MESSAGE.format(minutes=minutes_left(getattr(request, "zhdj_locked_until", None)))
    return HttpResponse(text, status=429, content_type="text/plain; charset=utf-8")


def login_error(request: HttpRequest | None, default: ValidationError) -> ValidationError:
    """The login form's error after a refused login: locked (and for how long), or the
    form's own message plus the attempts left. Counted for the name typed, whether or not
    it exists: the answer never tells."""
    if request is None or not getattr(request, "axes_updated", False):
        return default
    until = getattr(request, "zhdj_locked_until", None)
    if getattr(request, "axes_locked_out", False):
        return ValidationError(
            LOCKED_MESSAGE.format(minutes=minutes_left(until)), code="locked_out"
        )
    remaining = getattr(request, "zhdj_login_remaining", None)
    if remaining is None:
        return default
    minutes = math.ceil(cool_off().total_seconds() / 60)
    extra = REMAINING_MESSAGE.format(n=remaining, minutes=minutes)
    return ValidationError(f"{' '.join(default.messages)}{extra}", code=default.code)


# ------------------------------------------------------------------------------
# Current locks, and releasing one
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Lock:
    kind: str
    username: str
    ip: str
    failures: int
    last: datetime
    until: datetime

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def minutes_left(self) -> int:
        return minutes_left(self.until)


def current_locks() -> list[Lock]:
    """The locks in force in the current schema, the latest first."""
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off())
    limit = limits()
    groups = {USER_IP: ("username", "ip_address"), IP: ("ip_address",), USER: ("username",)}
    found: list[Lock] = []
    for kind, fields in groups.items():
        if limit[kind] <= 0:
            continue
        rows = (
            recent.values(*fields)
            .annotate(n=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(n__gte=limit[kind])
            .order_by()
        )
        for row in rows:
            found.append(
                Lock(
                    kind,
                    row.get("username") or "",
                    row.get("ip_address") or "",
                    row["n"],
                    row["last"],
                    row["last"] + cool_off(),
                )
            )
    return sorted(found, key=lambda lock: lock.last, reverse=True)


def _matching(kind: str, username: str, ip: str) -> QuerySet[AccessAttempt]:
    ip_filter = Q(ip_address=ip) if ip else Q(ip_address__isnull=True)
    if kind == USER_IP:
        return AccessAttempt.objects.filter(ip_filter, username=username)
    if kind == IP:
        return AccessAttempt.objects.filter(ip_filter)
    return AccessAttempt.objects.filter(username=username)


def lock_release(
    *, actor: Any, kind: str, username: str, ip: str, request: HttpRequest | None
) -> int:
    """Release one lock: its failures are forgotten. Returns how many attempt rows went."""
    if not has_duty(actor, Duty.LOCKOUTS):
        raise AccessDenied("只有安全管理员可以解除登录锁定。")
    if kind not in KIND_LABELS:
        raise AccessDenied("请求不完整，请重新操作。")
    count, _ = _matching(kind, username, ip).delete()
    shown = " ".join(part for part in (username, ip) if part)
    events.record(
        events.Kind.ACCOUNT,
        request=request,
        user=actor,
        target=username or ip,
        detail=f"解除登录锁定（{KIND_LABELS[kind]}：{shown}）",
    )
    return count


# ------------------------------------------------------------------------------
# The page 登录锁定 (county: the security administrator; city: also ops)
# ------------------------------------------------------------------------------
class UnlockForm(forms.Form):
    kind = forms.ChoiceField(choices=list(KIND_LABELS.items()))
    username = forms.CharField(max_length=255, required=False)
    ip = forms.GenericIPAddressField(required=False)


def _list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/lockouts.html", {"locks": current_locks()})


def _unlock(request: HttpRequest) -> HttpResponse:
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请求不完整，请重新操作。")
        return redirect("accounts:lockouts")
    data = form.cleaned_data
    try:
        count = lock_release(
            actor=request.user,
            kind=data["kind"],
            username=data["username"],
            ip=data["ip"] or "",
            request=request,
        )
    except AccessDenied as denied:
        raise PermissionDenied(denied.message) from denied
    shown = data["username"] or data["ip"] or "该来源"
    if count:
        messages.success(request, f"已解除“{shown}”的登录锁定。")
    else:
        messages.info(request, f"“{shown}”的登录锁定已经解除。")
    return redirect("accounts:lockouts")


@scoped_page(roles=UNLOCKERS)
def _county_list(request: HttpRequest, *, scope: Any) -> HttpResponse:
    return _list(request)


@public_page(UNLOCKERS)
def _city_list(request: HttpRequest) -> HttpResponse:
    return _list(request)


@scoped_page(roles=UNLOCKERS)
def _county_unlock(request: HttpRequest, *, scope: Any) -> HttpResponse:
    return _unlock(request)


@public_page(UNLOCKERS)
def _city_unlock(request: HttpRequest) -> HttpResponse:
    return _unlock(request)


def _on_public(request: HttpRequest) -> bool:
    return getattr(request, "tenant", None) is None


@never_cache
def lockout_list(request: HttpRequest) -> HttpResponse:
    """登录锁定: the same address on both sites; each site's page guard applies (the
    county's security administrator; the city's security administrator and ops)."""
    return _city_list(request) if _on_public(request) else _county_list(request)


@require_POST
@never_cache
def lockout_unlock(request: HttpRequest) -> HttpResponse:
    return _city_unlock(request) if _on_public(request) else _county_unlock(request)


# Declared as the stricter of the two guards it dispatches to (tests/zhdj/web/
# test_access_declared.py): on a county host it is a scoped page.
lockout_list.zhdj_access = SCOPED  # type: ignore[attr-defined]
lockout_unlock.zhdj_access = SCOPED  # type: ignore[attr-defined]
