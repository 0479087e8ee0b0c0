"""WeChat official-account template messages (微信公众号模板消息), over WeChat's HTTP API.

Protocol (developers.weixin.qq.com, "模板消息接口"):

- ``GET {base}/cgi-bin/token?grant_type=client_credential&appid=…&secret=…`` →
  ``{"access_token": "…", "expires_in": 7200}`` (or ``{"errcode": …, "errmsg": …}``);
- ``POST {base}/cgi-bin/message/template/send?access_token=…`` with
  ``{"touser": openid, "template_id": …, "url": …, "data": {key: {"value": …}}}`` →
  ``{"errcode": 0, "errmsg": "ok", "msgid": …}``; errcode 40001/42001 means the token
  is invalid or expired: fetch a new one and retry once.

Options: ``app_id``, ``app_secret``, ``templates`` (our key → WeChat template id),
``base_url`` (default ``https://api.weixin.qq.com``; tests point it at a local double),
``timeout``. The access token is cached per process until shortly before it expires.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from typing import Any

from zhdj.messaging.base import Message, MessageResult, Recipient

TOKEN_ERRORS = frozenset({40001, 40014, 42001})
EARLY_REFRESH = 300


class WeChatError(RuntimeError):
    pass


class WeChatTemplateBackend:
    name = "wechat"

    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str,
        templates: dict[str, str],
        base_url: str = "https://api.weixin.qq.com",
        timeout: float = 5.0,
    ) -> None:
        self.app_id, self.app_secret = app_id, app_secret
        self.templates = templates
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    _tokens: dict[tuple[str, str], tuple[str, float]] = {}
    _lock = threading.Lock()

    def _request(self, path: str, query: dict[str, str], body: dict | None = None) -> dict:
        url = f"{self.base_url}{path}?{urllib.parse.urlencode(query)}"
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - https (or a configured test double)
            url, data=data, headers={"Content-Type": "application/json; charset=utf-8"}
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))

    def access_token(self, *, refresh: bool = False) -> str:
        key = (self.base_url, self.app_id)
        with self._lock:
            cached = self._tokens.get(key)
            if cached and not refresh and cached[1] > time.monotonic():
                return cached[0]
            reply = self._request(
                "/cgi-bin/token",
                {
                    "grant_type": "client_credential",
                    "appid": self.app_id,
                    "secret": self.app_secret,
                },
            )
            if "access_token" not in reply:
                raise WeChatError(f"token: {reply.get('errcode')} {reply.get('errmsg')}")
            expires = time.monotonic() + int(reply.get("expires_in", 7200)) - EARLY_REFRESH
            self._tokens[key] = (reply["access_token"], expires)
            return reply["access_token"]

    def send(self, recipient: Recipient, message: Message) -> MessageResult:
        if not recipient.wechat_openid:
            return MessageResult(False, self.name, error="recipient has no WeChat openid")
        template_id = self.templates.get(message.template)
        if not template_id:
            return MessageResult(False, self.name, error=f"no template for {message.template}")
        body: dict[str, Any] = {
            "touser": recipient.wechat_openid,
            "template_id": template_id,
            "data": {k: {"value": v} for k, v in message.params.items()},
        }
        if message.url:
            body["url"] = message.url
        reply: dict = {}
        for attempt in range(2):
            token = self.access_token(refresh=attempt > 0)
            reply = self._request("/cgi-bin/message/template/send", {"access_token": token}, body)
            if reply.get("errcode") not in TOKEN_ERRORS:
                break
        if reply.get("errcode", 0) != 0:
            return MessageResult(
                False, self.name, error=f"{reply.get('errcode')} {reply.get('errmsg')}"
            )
        return MessageResult(True, self.name, provider_id=str(reply.get("msgid", "")))
