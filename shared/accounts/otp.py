"""动态口令: the second factor (TOTP, django-otp) and its recovery codes.

Required for ``User.OTP_ROLES`` (ops, city, county administrators, the security
administrator and the auditor), optional for everyone else. Devices live beside their
user: in public for city and ops users, in the county's schema for county users.

- A user with a confirmed TOTP device types its 6-digit code, or one of the recovery
  codes, after the password; only then is the session verified (``django_otp.login``).
- A user of ``OTP_ROLES`` without one binds one right after the password (and after a
  forced password change): a QR code and the secret, confirmed with a code; then 10
  recovery codes are shown once.
- Recovery codes are stored as ``otp_static`` tokens, hashed: the token column holds an
  HMAC of the code (keyed with ``SECRET_KEY``, salted with the user's id), never the code.
  A code works once.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from shared.accounts import events
from shared.accounts.models import User
from shared.accounts.roles import Duty, has_duty
from zhdj.errors import AccessDenied, ApplicationError

TOTP_NAME = "动态口令"
RECOVERY_NAME = "恢复码"
RECOVERY_COUNT = 10
# Recovery codes: 12 characters of an alphabet without look-alikes (0/o, 1/l/i), shown
# as xxxx-xxxx-xxxx: 60 random bits each.
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
RECOVERY_LENGTH = 12
DIGITS = re.compile(r"^\d{6}$")


def required(user: User) -> bool:
    """The role must have the second factor (it cannot be switched off)."""
    return user.role in User.OTP_ROLES


def totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def has_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending(user: User) -> str:
    """What a signed-in, unverified session must do first: ``"verify"`` (type a code),
    ``"enrol"`` (bind a device: the role requires one) or ``""`` (nothing)."""
    if has_device(user):
        return "verify"
    if required(user):
        return "enrol"
    return ""


# ------------------------------------------------------------------------------
# Binding a device
# ------------------------------------------------------------------------------
def setup_device(user: User) -> TOTPDevice:
    """The unconfirmed device being bound (one per user; made on the first visit)."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def secret_groups(device: TOTPDevice) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    secret = secret_base32(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(device: TOTPDevice, host: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code. The account
    names the site's host: the same user name on two counties is two entries."""
    host = host.split(":", maxsplit=1)[0]
    issuer = settings.OTP_TOTP_ISSUER
    account = f"{device.user.get_username()}@{host}"
    label = quote(f"{issuer}:{account}", safe="@:")
    params = {
        "secret": secret_base32(device),
        "issuer": issuer,
        "algorithm": "SHA1",
        "digits": device.digits,
        "period": device.step,
    }
    return f"otpauth://totp/{label}?{urlencode(params, quote_via=quote)}"


def qr_svg(uri: str) -> str:
    """The QR code as inline SVG (no image request, no external service)."""
    return segno.make(uri, error="m").svg_inline(scale=4, border=2, dark="#111", light="#fff")


@transaction.atomic
def setup_confirm(*, user: User, device: TOTPDevice, code: str, request=None) -> list[str]:  # type: ignore[no-untyped-def]
    """Confirm the device with a code from the app; replaces any earlier device and issues
    fresh recovery codes (returned once, in clear)."""
    code = normalize(code)
    if not DIGITS.match(code):
        raise ApplicationError("请输入动态口令应用显示的 6 位数字。", field="code")
    if device.user_id != user.pk or device.confirmed:
        raise ApplicationError("绑定已失效，请刷新页面重新扫码。", field="code")
    if not device.verify_token(code):
        events.record(
            events.Kind.OTP, request=request, user=user, detail="绑定动态口令：验证码错误", ok=False
        )
        raise ApplicationError("验证码不正确，请核对手机时间后重试。", field="code")
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_replace(user)
    events.record(events.Kind.OTP, request=request, user=user, detail="绑定动态口令")
    return codes


# ------------------------------------------------------------------------------
# Recovery codes
# ------------------------------------------------------------------------------
def normalize(code: str) -> str:
    return re.sub(r"[\s\-]", "", code or "").lower()


def _digest(user_id: int, code: str, secret: str | None = None) -> str:
    mac = salted_hmac("zhdj.otp.recovery", f"{user_id}:{code}", secret=secret, algorithm="sha256")
    # 16 characters: the width of otp_static's token column (96 bits).
    return base64.urlsafe_b64encode(mac.digest()).decode("ascii")[:16]


def _digests(user_id: int, code: str) -> list[str]:
    """With the current key first, then SECRET_KEY_FALLBACKS (a rotated key keeps codes)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [_digest(user_id, code, key) for key in keys]


def _new_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _recovery_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [_new_code() for _ in range(RECOVERY_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=_digest(user.pk, normalize(code))) for code in codes
    )
    return codes


def recovery_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def recovery_regenerate(*, user: User, password: str, request=None) -> list[str]:  # type: ignore[no-untyped-def]
    """New recovery codes (the old ones stop working); the password is asked again."""
    if not user.check_password(password or ""):
        raise ApplicationError("密码不正确。", field="password")
    if not has_device(user):
        raise ApplicationError("尚未绑定动态口令。")
    codes = _recovery_replace(user)
    events.record(events.Kind.OTP, request=request, user=user, detail="重新生成恢复码")
    return codes


# ------------------------------------------------------------------------------
# Checking a code at login
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    device: TOTPDevice | StaticDevice | None
    throttled_seconds: int = 0


@transaction.atomic
def check(*, user: User, code: str, request=None) -> Check:  # type: ignore[no-untyped-def]
    """A 6-digit code of the user's TOTP device, or one of their recovery codes (spent on
    use). Writes the event (OTP, ok or not)."""
    code = normalize(code)
    totp = totp_device(user)
    if totp is None:
        return Check(None)
    allowed, info = totp.verify_is_allowed()
    if not allowed:
        seconds = _seconds_left(info)
        events.record(
            events.Kind.OTP, request=request, user=user, detail="动态验证码：尝试过频", ok=False
        )
        return Check(None, throttled_seconds=seconds)
    if DIGITS.match(code):
        if totp.verify_token(code):
            events.record(
                events.Kind.OTP, request=request, user=user, detail="动态验证码正确，登录完成"
            )
            return Check(totp)
    elif code:
        token = (
            StaticToken.objects.select_for_update()
            .filter(device__user=user, device__confirmed=True, token__in=_digests(user.pk, code))
            .select_related("device")
            .first()
        )
        if token is not None:
            device = token.device
            token.delete()
            totp.throttle_reset()
            left = recovery_left(user)
            events.record(
                events.Kind.OTP, request=request, user=user, detail=f"使用恢复码（剩余 {left} 个）"
            )
            return Check(device)
        totp.throttle_increment()
    events.record(events.Kind.OTP, request=request, user=user, detail="动态验证码错误", ok=False)
    return Check(None)


def _seconds_left(info: dict | None) -> int:  # type: ignore[type-arg]
    from django.utils import timezone

    until = (info or {}).get("locked_until")
    if until is None:
        return 1
    return max(1, int((until - timezone.now()).total_seconds()) + 1)


# ------------------------------------------------------------------------------
# Reset by the security administrator (county) or the ops team (city)
# ------------------------------------------------------------------------------
def may_reset(actor: User) -> bool:
    return has_duty(actor, Duty.SECURITY_RESETS)


def resettable_users(actor: User):  # type: ignore[no-untyped-def]
    """The site's users (this schema), with whether each has a device."""
    from django.db.models import Exists, OuterRef

    if not may_reset(actor):
        raise AccessDenied("您没有重置动态口令的权限。")
    return (
        User.objects.exclude(pk=actor.pk)
        .filter(is_active=True)
        .annotate(otp_on=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .order_by("-otp_on", "username")
    )


@transaction.atomic
def reset(*, actor: User, target: User, request=None) -> None:  # type: ignore[no-untyped-def]
    """Remove the target's device and recovery codes: at their next page they bind again
    (a role that requires it) and any session of theirs is no longer verified."""
    if not may_reset(actor):
        raise AccessDenied("您没有重置动态口令的权限。")
    if target.pk == actor.pk:
        raise ApplicationError("不能重置自己的动态口令，请联系另一位管理员。")
    TOTPDevice.objects.filter(user=target).delete()
    StaticDevice.objects.filter(user=target).delete()
    events.record(
        events.Kind.OTP,
        request=request,
        user=actor,
        target=target.get_username(),
        detail=f"重置“{target.full_name}”的动态口令",
    )


def digest_matches(user_id: int, code: str, stored: str) -> bool:
    """For tests and checks: does ``stored`` hold ``code``?"""
    return any(hmac.compare_digest(d, stored) for d in _digests(user_id, normalize(code)))


def device_with_secret(
    user: User, key_hex: str, *, name: str = TOTP_NAME, **extra: int
) -> TOTPDevice:
    """A confirmed device with a known secret (the demo's, the test world's): made once,
    left alone when the user already has one."""
    existing = totp_device(user)
    if existing is not None:
        return existing
    return TOTPDevice.objects.create(user=user, name=name, key=key_hex, confirmed=True, **extra)


# ------------------------------------------------------------------------------
# The demo (zhdj.demo, manage.py demo_otp_code): one published secret, demo only
# ------------------------------------------------------------------------------
DEMO_SECRET_HEX = "48656c6c6f21deadbeef"  # noqa: S105 — the demo's, published in README
DEMO_SECRET_BASE32 = "JBSWY3DPEHPK3PXP"  # noqa: S105 — the same secret, in base32


def demo_refusal() -> str | None:
    """Why the demo secret may not be used here, or None: only a developer's settings
    (DEBUG) or the demo (ZHDJ_DEMO=1), never the production settings."""
    import os

    if getattr(settings, "ZHDJ_PRODUCTION", False):
        return "生产配置下不得使用演示动态口令。"
    if not settings.DEBUG and os.environ.get("ZHDJ_DEMO") != "1":
        return "只有开发环境（DJANGO_DEBUG=1）或演示环境（ZHDJ_DEMO=1）可以使用演示动态口令。"
    return None


def demo_device_ensure(user: User) -> TOTPDevice:
    reason = demo_refusal()
    if reason:
        raise ApplicationError(reason)
    return device_with_secret(user, DEMO_SECRET_HEX, name="演示动态口令")


def demo_code() -> tuple[str, int]:
    """The demo secret's current code and the seconds it stays valid."""
    import time

    from django_otp.oath import TOTP

    clock = TOTP(bytes.fromhex(DEMO_SECRET_HEX), step=30, t0=0, digits=6)
    now = time.time()
    clock.time = now
    return f"{clock.token():06d}", 30 - int(now) % 30


def session_passed(user: User, session) -> bool:  # type: ignore[no-untyped-def]
    """For connections without the middleware (websockets): has this session passed the
    second factor, or does the user need none? Mirrors django_otp's OTPMiddleware."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.models import Device

    if not getattr(user, "is_authenticated", False):
        return True
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if persistent_id:
        device = Device.from_persistent_id(persistent_id, for_verify=False)
        if device is not None and device.user_id == user.pk and device.confirmed:
            return True
    return not pending(user)
