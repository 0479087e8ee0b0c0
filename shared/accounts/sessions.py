"""Signed-in sessions (登录设备): recorded at login, listed to their user, ended one by one
or all at once; the absolute cap and the password expiry checked at login.

A session is named outside the session store only by the SHA-256 of its key
(``UserSession.key_hash``, websocket group names): ending one finds its key in the store
by that hash. Every open websocket of a session joins ``session_group`` and is closed when
the session ends (``shared.accounts.sockets``).

Connected from ``AccountsConfig.ready`` (``connect``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.models import CharField, Func
from django.http import HttpRequest
from django.utils import timezone

from shared.accounts import events
from shared.accounts.models import User, UserSession
from zhdj.web.client import client_ip

log = logging.getLogger(__name__)

# Session keys of our own (beside Django's): when the user signed in (the absolute cap),
# when the expiry was last pushed forward (zhdj.web.sessions), the password expired.
LOGIN_AT = "_zhdj_login_at"
TOUCHED = "_zhdj_touched"
PASSWORD_EXPIRED = "_zhdj_password_expired"  # noqa: S105 (a session key, no secret)


def key_hash(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


def session_group(schema: str, session_key: str) -> str:
    """The channel-layer group of a session's websockets (ASCII, under 100 characters)."""
    return f"session.{schema}.{key_hash(session_key)[:40]}"


def max_age() -> int:
    """The absolute cap (seconds): a session ends this long after login, whatever happens."""
    return int(settings.ZHDJ_SESSION_MAX_AGE)


def past_cap(session: Any, now: float | None = None) -> bool:
    login_at = session.get(LOGIN_AT)
    if not login_at:
        return False
    return (now or time.time()) - login_at >= max_age()


# ------------------------------------------------------------------------------
# The device, in Chinese: "Chrome · Android", "微信 · iPhone"
# ------------------------------------------------------------------------------
BROWSERS = (
    (r"MicroMessenger", "微信"),
    (r"DingTalk", "钉钉"),
    (r"QQBrowser|MQQBrowser", "QQ 浏览器"),
    (r"UCBrowser|UCWEB", "UC 浏览器"),
    (r"HuaweiBrowser", "华为浏览器"),
    (r"MiuiBrowser", "小米浏览器"),
    (r"360SE|360EE|QihooBrowser", "360 浏览器"),
    (r"Edg(e|A|iOS)?/", "Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chrome/|CriOS/|Chromium/", "Chrome"),
    (r"Safari/", "Safari"),
    (r"python-|curl/|Wget/|okhttp", "程序客户端"),
)
SYSTEMS = (
    (r"HarmonyOS|OpenHarmony", "鸿蒙"),
    (r"iPhone", "iPhone"),
    (r"iPad", "iPad"),
    (r"Android", "Android"),
    (r"Windows", "Windows"),
    (r"Mac OS X|Macintosh", "macOS"),
    (r"CrOS", "ChromeOS"),
    (r"Linux", "Linux"),
)


def device_summary(user_agent: str) -> str:
    """The browser and system named by a User-Agent header, e.g. ``Chrome · Android``;
    ``未知设备`` when neither is recognised."""
    browser = next((name for pat, name in BROWSERS if re.search(pat, user_agent)), "")
    system = next((name for pat, name in SYSTEMS if re.search(pat, user_agent)), "")
    parts = [p for p in (browser, system) if p]
    return " · ".join(parts) if parts else "未知设备"


# ------------------------------------------------------------------------------
# Login and logout
# ------------------------------------------------------------------------------
def password_expired(user: User) -> bool:
    days = int(settings.ZHDJ_PASSWORD_MAX_AGE_DAYS)
    if days <= 0:
        return False
    since = user.password_changed_at or user.date_joined
    return since is not None and timezone.now() - since >= timedelta(days=days)


def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Record the session; start its absolute cap; force the change of an expired password
    through the existing must-change path (``shared.accounts.middleware``)."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.save()
    now = time.time()
    session[LOGIN_AT] = int(now)
    session[TOUCHED] = int(now)
    if password_expired(user) and not user.must_change_password:
        User.objects.filter(pk=user.pk).update(must_change_password=True)
        user.must_change_password = True
        session[PASSWORD_EXPIRED] = True
    stale = timezone.now() - timedelta(seconds=max(settings.SESSION_COOKIE_AGE, max_age()))
    UserSession.objects.filter(user=user, last_activity__lt=stale).delete()
    agent = request.META.get("HTTP_USER_AGENT", "")
    UserSession.objects.update_or_create(
        key_hash=key_hash(session.session_key),
        defaults={
            "user": user,
            "created_at": timezone.now(),
            "last_activity": timezone.now(),
            "ip": client_ip(request) or None,
            "device": device_summary(agent)[:64],
        },
    )


def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """The session is about to be flushed: forget it and close its websockets."""
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    if not key:
        return
    UserSession.objects.filter(key_hash=key_hash(key)).delete()
    close_sockets([key])


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="zhdj.accounts.sessions.login")
    user_logged_out.connect(on_logout, dispatch_uid="zhdj.accounts.sessions.logout")


# ------------------------------------------------------------------------------
# Activity and the list
# ------------------------------------------------------------------------------
def touched(session_key: str) -> None:
    """Real activity (at most once a minute, zhdj.web.sessions): the row's last activity."""
    UserSession.objects.filter(key_hash=key_hash(session_key)).update(last_activity=timezone.now())


def rekeyed(old_key: str | None, new_key: str | None) -> None:
    """The session's key changed (``update_session_auth_hash`` after a password change)."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(key_hash=key_hash(old_key)).update(key_hash=key_hash(new_key))


def live_sessions(user: User) -> list[UserSession]:
    """The user's sessions that may still be signed in, the most recent first."""
    now = timezone.now()
    return list(
        UserSession.objects.filter(
            user=user,
            last_activity__gte=now - timedelta(seconds=settings.SESSION_COOKIE_AGE),
            created_at__gte=now - timedelta(seconds=max_age()),
        )
    )


# ------------------------------------------------------------------------------
# Ending sessions
# ------------------------------------------------------------------------------
class KeyHash(Func):
    """PostgreSQL's own SHA-256 of a text column, in hex (``key_hash`` in SQL; Django's
    ``SHA256`` would need the pgcrypto extension)."""

    template = "encode(sha256(convert_to(%(expressions)s, 'UTF8')), 'hex')"
    output_field = CharField()


def _store(session_key: str):  # type: ignore[no-untyped-def]
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def _keys_for(hashes: list[str]) -> list[str]:
    """The live session keys with these hashes, in the current schema's session table."""
    if not hashes:
        return []
    return list(
        Session.objects.annotate(h=KeyHash("session_key"))
        .filter(h__in=hashes, expire_date__gt=timezone.now())
        .values_list("session_key", flat=True)
    )


def close_sockets(session_keys: list[str], schema: str | None = None) -> None:
    """Close every websocket of these sessions, once the transaction commits. A channel
    layer that cannot be reached (Redis down) does not stop the caller: the sockets' own
    periodic check closes them within a minute."""
    if not session_keys:
        return
    schema = schema or connection.schema_name
    groups = [session_group(schema, key) for key in session_keys]

    def send() -> None:
        from asgiref.sync import async_to_sync
        from channels.layers import get_channel_layer

        try:
            layer = get_channel_layer()
            if layer is None:
                return
            for group in groups:
                async_to_sync(layer.group_send)(group, {"type": "session.ended"})
        except Exception:
            log.warning("websockets of ended sessions not told", exc_info=True)

    transaction.on_commit(send)


def _end(rows: list[UserSession], *, request: HttpRequest | None, detail: str) -> int:
    keys = _keys_for([row.key_hash for row in rows])
    for key in keys:
        _store(key).delete()
    UserSession.objects.filter(pk__in=[row.pk for row in rows]).delete()
    close_sockets(keys)
    for row in rows:
        # The actor is the request's user (or, with none signed in, the session's own).
        events.record(
            events.Kind.SESSION_ENDED,
            request=request,
            username=row.user.get_username(),
            target=f"{row.user.get_username()} · {row.device or '未知设备'}",
            detail=detail,
        )
    return len(rows)


def session_end(*, request: HttpRequest, pk: int) -> int:
    """The signed-in user ends one of their other sessions (退出该设备)."""
    current = request.session.session_key
    rows = [
        row
        for row in UserSession.objects.filter(user=request.user, pk=pk).select_related("user")
        if not current or row.key_hash != key_hash(current)
    ]
    return _end(rows, request=request, detail="用户退出其他设备上的登录")


def sessions_end_others(*, request: HttpRequest) -> int:
    """The signed-in user ends all their sessions but this one (退出其他所有设备)."""
    current = request.session.session_key
    rows = UserSession.objects.filter(user=request.user).select_related("user")
    if current:
        rows = rows.exclude(key_hash=key_hash(current))
    return _end(list(rows), request=request, detail="用户退出其他所有设备上的登录")


def sessions_end_for_user(
    user: User,
    *,
    keep_session_key: str | None = None,
    detail: str,
    request: HttpRequest | None = None,
) -> int:
    """End every session of ``user`` (deactivated, password changed or reset), but
    ``keep_session_key`` (the one that changed its own password)."""
    rows = UserSession.objects.filter(user=user).select_related("user")
    if keep_session_key:
        rows = rows.exclude(key_hash=key_hash(keep_session_key))
    return _end(list(rows), request=request, detail=detail)


def session_capped(*, request: HttpRequest, session: Any) -> None:
    """The absolute cap is reached: the session ends (called before it is flushed)."""
    key = session.session_key
    user_id = session.get("_auth_user_id")
    if key:
        UserSession.objects.filter(key_hash=key_hash(key)).delete()
        close_sockets([key])
    user = User.objects.filter(pk=user_id).first() if user_id else None
    events.record(
        events.Kind.SESSION_ENDED,
        request=request,
        user=user,
        target=user.get_username() if user else "",
        detail="登录已超过最长会话时间",
    )
