"""Password reset by SMS code (忘记密码 → 短信验证码).

1. ``reset_code_request(username=, phone=, ip=)``: when the login exists, is active, and
   the phone matches the phone on the user's member record (county sites: ``user.member``,
   the reverse relation, so shared/ imports nothing of tenants/), a 6-digit code is sent
   by SMS (``zhdj.messaging``, template ``accounts.reset_code``). The answer is the same
   whether or not anything was sent: the page never tells whether an account exists.
2. ``reset_code_use(username=, code=, new_password=)``: the right code within 10 minutes
   and 5 attempts sets the new password (the forced change is then done too).

Only a keyed hash of the code is kept, in the cache (per county: keys are prefixed with
the schema), with its expiry. Requests are rate limited per login name and per address.
The city site has no phone for its users: city and ops users are reset by an account
administrator (shared/accounts/manage.py).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection

from shared.accounts.models import User
from shared.accounts.services import password_change
from zhdj.messaging import message_send
from zhdj.pii.crypto import normalize_phone

logger = logging.getLogger(__name__)

CODE_SECONDS = 10 * 60
MAX_ATTEMPTS = 5
# Code requests per login name and per client address within WINDOW_SECONDS.
PER_USERNAME = 3
PER_ADDRESS = 10
WINDOW_SECONDS = 60 * 60
TEMPLATE = "accounts.reset_code"


class Throttled(Exception):
    """Too many requests: the page says 请稍后再试."""


def available() -> bool:
    """SMS reset exists on county sites only (city users have no member record)."""
    return connection.schema_name != "public"


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"pwreset:{kind}:{digest}"


def _code_hash(username: str, code: str) -> str:
    message = f"{connection.schema_name}:{username.strip().lower()}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _count(key: str, limit: int) -> bool:
    """Count one request; False when over the limit."""
    if cache.add(key, 1, WINDOW_SECONDS):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        return True


def _phone_of(user: User) -> str:
    """The phone on the user's member record (decrypted by its field), or ""."""
    if not available():
        return ""
    try:
        member: Any = user.member  # type: ignore[attr-defined]
    except (ObjectDoesNotExist, AttributeError):
        return ""
    return getattr(member, "phone", "") or ""


def reset_code_request(*, username: str, phone: str, ip: str) -> bool:
    """Send a code when login and phone match. Returns whether one was sent (for tests
    and logs only: the page must answer the same either way). Raises ``Throttled``."""
    username = username.strip()
    if not _count(_key("user", username), PER_USERNAME) or not _count(
        _key("ip", ip or "-"), PER_ADDRESS
    ):
        raise Throttled
    user = User.objects.filter(username=username, is_active=True).first()
    typed = normalize_phone(phone or "")
    if user is None or not typed:
        return False
    stored = normalize_phone(_phone_of(user))
    if not stored or not hmac.compare_digest(stored, typed):
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(
        _key("code", username),
        {"hash": _code_hash(username, code), "attempts": 0, "until": time.time() + CODE_SECONDS},
        CODE_SECONDS,
    )
    result = message_send(
        recipient_user=user,
        template=TEMPLATE,
        params={"code": code, "minutes": CODE_SECONDS // 60},
        phone=stored,
    )
    return result.sent


def reset_code_check(*, username: str, code: str) -> User | None:
    """The user, when ``code`` is the live code of ``username``; counts a failed attempt
    (after ``MAX_ATTEMPTS`` the code is void). The code stays valid until used."""
    key = _key("code", username.strip())
    entry = cache.get(key)
    if not entry or entry["until"] <= time.time():
        return None
    if entry["attempts"] >= MAX_ATTEMPTS:
        cache.delete(key)
        return None
    if not hmac.compare_digest(entry["hash"], _code_hash(username, code.strip())):
        entry["attempts"] += 1
        remaining = max(1, int(entry["until"] - time.time()))
        if entry["attempts"] >= MAX_ATTEMPTS:
            cache.delete(key)
        else:
            cache.set(key, entry, remaining)
        return None
    return User.objects.filter(username=username.strip(), is_active=True).first()


def reset_code_use(*, username: str, code: str, new_password: str) -> User | None:
    """Set the new password when the code is right; the code is then spent."""
    user = reset_code_check(username=username, code=code)
    if user is None:
        return None
    password_change(user=user, new_password=new_password, detail="短信验证码重置密码")
    cache.delete(_key("code", username.strip()))
    return user
