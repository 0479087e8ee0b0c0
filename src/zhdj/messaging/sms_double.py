"""The local SMS double (本地测试短信网关) — TEST ONLY: an HTTP server speaking Aliyun's
dysmsapi ``SendSms`` (see ``sms_aliyun``) with the public TEST ONLY key below.

It checks what Aliyun checks — the HMAC-SHA1 signature with the key's secret, the
common parameters, a timestamp within 15 minutes, a nonce used once, a known sign name
and template code, an 11-digit mainland mobile number — answers in Aliyun's JSON, and
records every accepted message (in memory; with ``--outbox FILE`` also one JSON line per
message, for ``make demo``). ``GET /`` lists the received messages as a phone would show
them (the demo's "手机"), newest first. It never sends anything anywhere.

    python -m zhdj.messaging.sms_double --port 8125 [--outbox .local/sms-outbox.jsonl]

In tests: ``double = SmsDouble.start()``; point the SMS backend's ``endpoint`` at
``double.url``; read ``double.messages``; ``double.stop()``.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import threading
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from zhdj.messaging.sms_aliyun import API_VERSION, signature

# Public test credentials: the double's only account. Never a real key.
TEST_ACCESS_KEY_ID = "LTAI5tTESTONLYsmsDouble"
TEST_ACCESS_KEY_SECRET = "TESTONLYsmsDoubleSecret0000000"  # noqa: S105 - public test key
TEST_SIGN_NAME = "智慧党建云"
# Our template keys → the double's template codes (and the text a phone would show).
TEST_TEMPLATES = {
    "accounts.login_issued": "SMS_TESTONLY_LOGIN",
    "accounts.password_reset": "SMS_TESTONLY_RESET",
    "accounts.reset_code": "SMS_TESTONLY_CODE",
}
TEXTS = {
    "SMS_TESTONLY_LOGIN": "${name}您好，您的智慧党建云账号已开通，"
    "登录名${login}，初始密码${password}，首次登录请修改密码。",
    "SMS_TESTONLY_RESET": "${name}您好，您的智慧党建云登录密码已由管理员重置，"
    "临时密码${password}，登录后请立即修改。",
    "SMS_TESTONLY_CODE": "您的验证码为${code}，10分钟内有效，请勿泄露给他人。",
}
COMMON = (
    "AccessKeyId", "Action", "Format", "RegionId", "SignatureMethod", "SignatureNonce",
    "SignatureVersion", "Timestamp", "Version", "Signature",
)  # fmt: skip
MOBILE = re.compile(r"1[3-9]\d{9}")
WINDOW = timedelta(minutes=15)


def backend_options(url: str) -> dict[str, Any]:
    """The SMS backend's options for talking to a double at ``url``."""
    return {
        "access_key_id": TEST_ACCESS_KEY_ID,
        "access_key_secret": TEST_ACCESS_KEY_SECRET,
        "sign_name": TEST_SIGN_NAME,
        "templates": dict(TEST_TEMPLATES),
        "endpoint": url,
    }


@dataclass(frozen=True)
class Received:
    phone: str
    sign_name: str
    template_code: str
    params: dict[str, str]
    biz_id: str
    received_at: str

    @property
    def text(self) -> str:
        body = TEXTS.get(self.template_code, "")
        for key, value in self.params.items():
            body = body.replace("${" + key + "}", value)
        return f"【{self.sign_name}】{body}"


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Gateway:
    """The checks and the record, apart from HTTP (unit-testable)."""

    def __init__(self, outbox: Path | None = None) -> None:
        self.messages: list[Received] = []
        self.refused: list[str] = []
        self._nonces: set[str] = set()
        self._lock = threading.Lock()
        self.outbox = outbox

    def accept(self, method: str, fields: dict[str, str]) -> Received:  # noqa: PLR0912
        missing = [k for k in COMMON if not fields.get(k)]
        if missing:
            raise Refused(400, "MissingParameter", f"{missing[0]} is mandatory for this action.")
        if fields["AccessKeyId"] != TEST_ACCESS_KEY_ID:
            raise Refused(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        if fields["SignatureMethod"] != "HMAC-SHA1" or fields["SignatureVersion"] != "1.0":
            raise Refused(400, "InvalidSignatureMethod", "Specified signature method is invalid.")
        expected = signature(method, fields, TEST_ACCESS_KEY_SECRET)
        if fields["Signature"] != expected:
            raise Refused(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation.",
            )
        if fields["Action"] != "SendSms" or fields["Version"] != API_VERSION:
            raise Refused(400, "InvalidAction.NotFound", "Specified api is not found.")
        try:
            stamp = datetime.strptime(fields["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            raise Refused(400, "InvalidTimeStamp.Format", "Timestamp format is invalid.") from None
        if abs(datetime.now(UTC) - stamp) > WINDOW:
            raise Refused(400, "InvalidTimeStamp.Expired", "Specified time stamp is expired.")
        with self._lock:
            if fields["SignatureNonce"] in self._nonces:
                raise Refused(400, "SignatureNonceUsed", "Specified signature nonce was used.")
            self._nonces.add(fields["SignatureNonce"])
        if fields.get("SignName") != TEST_SIGN_NAME:
            raise Refused(200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        if fields.get("TemplateCode") not in TEXTS:
            raise Refused(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        phone = fields.get("PhoneNumbers", "")
        if not MOBILE.fullmatch(phone):
            raise Refused(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        try:
            params = json.loads(fields.get("TemplateParam") or "{}")
        except ValueError:
            raise Refused(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法") from None
        message = Received(
            phone=phone,
            sign_name=fields["SignName"],
            template_code=fields["TemplateCode"],
            params={str(k): str(v) for k, v in params.items()},
            biz_id=f"{uuid.uuid4().int % 10**15:015d}^0",
            received_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        with self._lock:
            self.messages.append(message)
            if self.outbox is not None:
                with self.outbox.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(asdict(message), ensure_ascii=False) + "\n")
        return message

    def handle(self, method: str, fields: dict[str, str]) -> tuple[int, dict[str, str]]:
        request_id = str(uuid.uuid4()).upper()
        try:
            message = self.accept(method, fields)
        except Refused as refused:
            with self._lock:
                self.refused.append(refused.code)
            return refused.status, {
                "Code": refused.code,
                "Message": refused.message,
                "RequestId": request_id,
            }
        return 200, {
            "Code": "OK",
            "Message": "OK",
            "BizId": message.biz_id,
            "RequestId": request_id,
        }


class _Handler(BaseHTTPRequestHandler):
    gateway: Gateway

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _api(self, method: str, query: str) -> None:
        fields = dict(parse_qsl(query, keep_blank_values=True))
        status, payload = self.gateway.handle(method, fields)
        self._reply(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._api("POST", self.rfile.read(length).decode("utf-8"))

    def do_GET(self) -> None:
        query = self.path.partition("?")[2]
        if query:
            self._api("GET", query)
            return
        rows = "".join(
            f"<li><b>{html.escape(m.phone)}</b> <small>{html.escape(m.received_at)}</small>"
            f"<br>{html.escape(m.text)}</li>"
            for m in reversed(self.gateway.messages)
        )
        page = (
            '<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>测试短信网关</title><h1>测试短信网关（仅供测试，不发送任何短信）</h1>"
            f"<ol>{rows or '<li>还没有收到短信。</li>'}</ol></html>"
        )
        self._reply(200, page.encode(), "text/html; charset=utf-8")

    def log_message(self, *args: object) -> None:  # the bodies carry passwords: no log
        pass


class SmsDouble:
    """A running double: ``url``, ``messages``, ``stop()``."""

    def __init__(self, server: ThreadingHTTPServer, gateway: Gateway) -> None:
        self.server, self.gateway = server, gateway
        self.url = f"http://127.0.0.1:{server.server_address[1]}/"

    @classmethod
    def start(cls, port: int = 0, outbox: Path | None = None) -> SmsDouble:
        gateway = Gateway(outbox)
        handler = type("Handler", (_Handler,), {"gateway": gateway})
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name="sms-double", daemon=True).start()
        return cls(server, gateway)

    @property
    def messages(self) -> list[Received]:
        return self.gateway.messages

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="本地测试短信网关（阿里云短信协议，仅供测试）")
    parser.add_argument("--port", type=int, default=8125)
    parser.add_argument("--outbox", type=Path, default=None)
    args = parser.parse_args(argv)
    gateway = Gateway(args.outbox)
    handler = type("Handler", (_Handler,), {"gateway": gateway})
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    print(f"SMS double on http://127.0.0.1:{args.port}/ (TEST ONLY)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
