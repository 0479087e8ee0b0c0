"""The default backend: writes the message to the log (no personal data: the user id and
the template key, not the phone or openid; no password or code) and keeps the last messages
in memory for inspection in a shell or a test."""

from __future__ import annotations

import logging
from collections import deque

from zhdj.messaging.base import Message, MessageResult, Recipient, loggable

logger = logging.getLogger("zhdj.messaging")

OUTBOX: deque[tuple[Recipient, Message]] = deque(maxlen=200)


class LoggingBackend:
    name = "logging"

    def __init__(self, **_: object) -> None:
        pass

    def send(self, recipient: Recipient, message: Message) -> MessageResult:
        OUTBOX.append((recipient, message))
        logger.info(
            "message %s to user %s: %s",
            message.template,
            recipient.user_id,
            loggable(message.params),
        )
        return MessageResult(True, self.name)
