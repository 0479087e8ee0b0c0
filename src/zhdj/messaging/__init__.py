"""Outbound messages to people outside the site (短信、微信模板消息).

``message_send(recipient_user=..., template=..., params=...)`` hands one message to the
backend chosen by ``settings.ZHDJ_MESSAGING["BACKEND"]``: the logging backend by default
(nothing leaves the machine), or the WeChat official-account template message backend
(``wechat.WeChatTemplateBackend``), which speaks WeChat's HTTP protocol. Templates are
named by our own keys (``development.step_due`` …); each backend maps a key to its own
template id in settings, so a feature never hard-codes a provider's ids.
"""

from __future__ import annotations

from zhdj.messaging.base import (
    Backend,
    Message,
    MessageResult,
    Recipient,
    get_backend,
    message_send,
)

__all__ = ["Backend", "Message", "MessageResult", "Recipient", "get_backend", "message_send"]
