"""The messaging adapter: logging backend by default; the WeChat template-message backend
against a local double that speaks WeChat's HTTP protocol (token, send, expired token)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from zhdj.messaging import message_send
from zhdj.messaging.logging import OUTBOX
from zhdj.messaging.wechat import WeChatTemplateBackend


class User:
    pk = 7
    full_name = "李支书"


class WeChatDouble(BaseHTTPRequestHandler):
    tokens_issued: list[str] = []
    sent: list[dict] = []
    expire_next = False

    def _reply(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        q = parse_qs(url.query)
        if url.path != "/cgi-bin/token" or q.get("secret") != ["s3cret"]:
            self._reply({"errcode": 40125, "errmsg": "invalid appsecret"})
            return
        token = f"T{len(self.tokens_issued) + 1}"
        self.tokens_issued.append(token)
        self._reply({"access_token": token, "expires_in": 7200})

    def do_POST(self) -> None:
        url = urlparse(self.path)
        token = parse_qs(url.query).get("access_token", [""])[0]
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if WeChatDouble.expire_next:
            WeChatDouble.expire_next = False
            self._reply({"errcode": 42001, "errmsg": "access_token expired"})
            return
        if token != self.tokens_issued[-1]:
            self._reply({"errcode": 40001, "errmsg": "invalid credential"})
            return
        self.sent.append(body)
        self._reply({"errcode": 0, "errmsg": "ok", "msgid": 1000 + len(self.sent)})

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def wechat() -> Iterator[str]:
    WeChatDouble.tokens_issued, WeChatDouble.sent = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), WeChatDouble)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_logging_backend_is_the_default(settings):
    settings.ZHDJ_MESSAGING = {}
    OUTBOX.clear()
    result = message_send(
        recipient_user=User(), template="development.step_due", params={"count": 2}
    )
    assert result.sent and result.backend == "logging"
    assert OUTBOX[-1][1].params == {"count": "2"}


def _configure(settings, base_url: str) -> None:  # type: ignore[no-untyped-def]
    settings.ZHDJ_MESSAGING = {
        "BACKEND": "zhdj.messaging.wechat.WeChatTemplateBackend",
        "OPTIONS": {
            "app_id": "wx123",
            "app_secret": "s3cret",
            "templates": {"development.step_due": "TPL-DUE"},
            "base_url": base_url,
        },
    }
    WeChatTemplateBackend._tokens.clear()


def test_wechat_template_message_over_the_protocol(settings, wechat):
    _configure(settings, wechat)
    result = message_send(
        recipient_user=User(),
        template="development.step_due",
        params={"count": 1},
        url="https://alpha.example/development/",
        wechat_openid="oOPENID",
    )
    assert result.sent and result.provider_id == "1001"
    assert WeChatDouble.sent == [
        {
            "touser": "oOPENID",
            "template_id": "TPL-DUE",
            "data": {"count": {"value": "1"}},
            "url": "https://alpha.example/development/",
        }
    ]


def test_expired_token_is_renewed_once(settings, wechat):
    _configure(settings, wechat)
    message_send(
        recipient_user=User(), template="development.step_due", params={}, wechat_openid="o1"
    )
    WeChatDouble.expire_next = True
    result = message_send(
        recipient_user=User(), template="development.step_due", params={}, wechat_openid="o1"
    )
    assert result.sent
    assert WeChatDouble.tokens_issued == ["T1", "T2"]


def test_failures_are_reported_not_raised(settings, wechat):
    _configure(settings, wechat)
    settings.ZHDJ_MESSAGING["OPTIONS"]["app_secret"] = "wrong"
    result = message_send(
        recipient_user=User(), template="development.step_due", params={}, wechat_openid="o1"
    )
    assert not result.sent and "40125" in result.error
    no_openid = message_send(recipient_user=User(), template="development.step_due", params={})
    assert not no_openid.sent
    settings.ZHDJ_MESSAGING["OPTIONS"]["base_url"] = "http://127.0.0.1:9"
    down = message_send(
        recipient_user=User(), template="development.step_due", params={}, wechat_openid="o1"
    )
    assert not down.sent
