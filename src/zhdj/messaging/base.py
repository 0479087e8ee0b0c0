"""The messaging adapter: one message, one backend, a result that never raises for the
caller's sake (a failed SMS must not undo the work that caused it)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("zhdj.messaging")

DEFAULT_BACKEND = "zhdj.messaging.logging.LoggingBackend"
# Messages that must reach a phone (a login's password, a reset code) go through the SMS
# backend, ``settings.ZHDJ_MESSAGING["SMS"]`` (``sms_aliyun``), when one is configured.
SMS_TEMPLATES = ("accounts.",)
# Template variables never written to a log (passwords, verification codes).
SECRET_PARAMS = frozenset({"password", "code"})


def loggable(params: dict[str, str]) -> str:
    return ", ".join(f"{k}={'***' if k in SECRET_PARAMS else v}" for k, v in sorted(params.items()))


@dataclass(frozen=True)
class Recipient:
    """Where a message can reach a person. Addresses are resolved by the caller's app
    (member phone, bound WeChat openid); a backend uses the one it needs."""

    user_id: int | None
    name: str
    phone: str = ""
    wechat_openid: str = ""


@dataclass(frozen=True)
class Message:
    template: str  # our key, e.g. "development.step_due"
    params: dict[str, str]
    url: str = ""


@dataclass(frozen=True)
class MessageResult:
    sent: bool
    backend: str
    provider_id: str = ""
    error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Backend(Protocol):
    name: str

    def send(self, recipient: Recipient, message: Message) -> MessageResult: ...


def _config() -> dict[str, Any]:
    return dict(getattr(settings, "ZHDJ_MESSAGING", {}) or {})


def get_backend(template: str = "") -> Backend:
    config = _config()
    if template.startswith(SMS_TEMPLATES) and config.get("SMS"):
        config = dict(config["SMS"])
    cls = import_string(config.get("BACKEND") or DEFAULT_BACKEND)
    return cls(**config.get("OPTIONS", {}))


def recipient_of(user: Any, *, phone: str = "", wechat_openid: str = "") -> Recipient:
    return Recipient(
        user_id=getattr(user, "pk", None),
        name=getattr(user, "full_name", "") or str(user),
        phone=phone,
        wechat_openid=wechat_openid,
    )


def message_send(
    *,
    recipient_user: Any,
    template: str,
    params: dict[str, Any],
    url: str = "",
    phone: str = "",
    wechat_openid: str = "",
) -> MessageResult:
    """Send one message through the configured backend; failures are logged and
    returned (``sent=False``), never raised."""
    recipient = recipient_of(recipient_user, phone=phone, wechat_openid=wechat_openid)
    message = Message(template, {k: str(v) for k, v in params.items()}, url)
    backend = get_backend(template)
    try:
        result = backend.send(recipient, message)
    except Exception as exc:  # a provider outage must not break the caller's work
        logger.warning("message %s to user %s failed: %s", template, recipient.user_id, exc)
        return MessageResult(False, getattr(backend, "name", "?"), error=str(exc))
    if not result.sent:
        logger.warning(
            "message %s to user %s not sent: %s", template, recipient.user_id, result.error
        )
    return result
