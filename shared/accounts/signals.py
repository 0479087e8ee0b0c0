"""The login log (登录日志): Django's auth signals and axes' lockout signal, written as
security events (``shared.accounts.events``) in the schema of the site asked.

- ``user_logged_in`` → LOGIN (for a role with the second factor: "密码正确，待验证动态口令",
  the OTP row then says "动态验证码正确，登录完成"); ``user_logged_out`` → LOGOUT;
- ``user_login_failed`` → LOGIN_FAILED with the name typed (truncated), ok=False; a login
  refused because of a lock says so;
- ``axes.signals.user_locked_out`` → LOCKED_OUT, once, when the lock starts (axes sends it
  again for every attempt during the lock; those are the LOGIN_FAILED rows above).

Connected in ``AccountsConfig.ready``. Denials (DENIED) are written where every 403 is
produced: ``zhdj.web.errors.forbidden`` and ``zhdj.api.exception_handler``.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from shared.accounts import events, otp

USERNAME_FIELD = "username"
PENDING = {"verify": "密码正确，待验证动态口令", "enrol": "密码正确，待绑定动态口令"}


@receiver(user_logged_in, dispatch_uid="zhdj_login_log_in")
def log_login(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if request is None:  # a test's force_login, a script: no client to log
        return
    # For a role with the second factor the password is only the first step: the row says
    # so, and the OTP row that follows says when the login was completed.
    step = PENDING.get(otp.pending(user), "") if user is not None else ""
    events.record(events.Kind.LOGIN, request=request, user=user, detail=step)


@receiver(user_logged_out, dispatch_uid="zhdj_login_log_out")
def log_logout(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if request is None or user is None or not getattr(user, "is_authenticated", False):
        return
    events.record(events.Kind.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="zhdj_login_log_failed")
def log_login_failed(
    sender: Any, credentials: dict | None = None, request: Any = None, **kwargs: Any
) -> None:
    if request is None:
        return
    typed = str((credentials or {}).get(USERNAME_FIELD) or "")
    locked = getattr(request, "zhdj_login_locked", False)
    events.record(
        events.Kind.LOGIN_FAILED,
        request=request,
        username=typed[:64],
        detail="登录已锁定，未校验密码" if locked else "用户名或密码不正确",
        ok=False,
    )


@receiver(user_locked_out, dispatch_uid="zhdj_login_log_locked")
def log_locked_out(
    sender: Any, request: Any = None, username: str | None = None, **kwargs: Any
) -> None:
    if request is None or getattr(request, "zhdj_login_locked", False):
        return  # a login during the lock: refused, already locked
    from shared.accounts.lockouts import minutes_left

    minutes = minutes_left(getattr(request, "zhdj_locked_until", None))
    events.record(
        events.Kind.LOCKED_OUT,
        request=request,
        username=str(username or "")[:64],
        detail=f"连续登录失败，锁定约 {minutes} 分钟",
        ok=False,
    )
