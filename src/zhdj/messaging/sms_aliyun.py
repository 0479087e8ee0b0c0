"""SMS through Aliyun SMS (阿里云短信服务, dysmsapi ``SendSms``), over its RPC HTTP API.

Protocol (help.aliyun.com, "RPC 签名机制" and dysmsapi 2017-05-25 ``SendSms``):

- every request carries the common parameters ``AccessKeyId``, ``Action=SendSms``,
  ``Format=JSON``, ``RegionId``, ``SignatureMethod=HMAC-SHA1``, ``SignatureNonce`` (unique
  per request), ``SignatureVersion=1.0``, ``Timestamp`` (UTC, ``YYYY-MM-DDThh:mm:ssZ``),
  ``Version=2017-05-25``, and the operation's ``PhoneNumbers``, ``SignName``,
  ``TemplateCode``, ``TemplateParam`` (JSON of the template's variables), ``OutId``;
- the canonicalized query string is every parameter but ``Signature``, sorted by name,
  each name and value percent-encoded per RFC 3986 (UTF-8; ``A-Z a-z 0-9 - _ . ~`` kept,
  space as ``%20``), joined as ``k=v`` with ``&``;
- ``StringToSign = METHOD + "&" + pe("/") + "&" + pe(canonicalized query string)``;
- ``Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))``;
- the reply is JSON ``{"Code": "OK", "Message": "OK", "BizId": …, "RequestId": …}``;
  any other ``Code`` (``isv.MOBILE_NUMBER_ILLEGAL``, ``SignatureDoesNotMatch`` …) failed.

We POST the parameters as a form body (Aliyun accepts GET or POST; the signature names
the method) so that no message text (an initial password) sits in a URL or an access log.

Options (``settings.ZHDJ_MESSAGING["SMS"]["OPTIONS"]``): ``access_key_id``,
``access_key_secret``, ``sign_name`` (the approved 短信签名), ``templates`` (our key →
``SMS_…`` template code), ``endpoint`` (default ``https://dysmsapi.aliyuncs.com/``; tests
and the demo point it at the local double, ``zhdj.messaging.sms_double``), ``region_id``,
``timeout``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from zhdj.messaging.base import Message, MessageResult, Recipient

API_VERSION = "2017-05-25"
DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com/"


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Aliyun signs it (``~`` kept, space ``%20``, ``*`` ``%2A``)."""
    return urllib.parse.quote(str(value), safe="-_.~")


def canonical_query(params: Mapping[str, str]) -> str:
    return "&".join(
        f"{percent_encode(k)}={percent_encode(params[k])}"
        for k in sorted(params)
        if k != "Signature"
    )


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"


def signature(method: str, params: Mapping[str, str], secret: str) -> str:
    digest = hmac.new(
        f"{secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


def timestamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


class AliyunSmsBackend:
    name = "sms_aliyun"

    def __init__(
        self,
        *,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        templates: dict[str, str],
        endpoint: str = DEFAULT_ENDPOINT,
        region_id: str = "cn-hangzhou",
        timeout: float = 5.0,
        **_: object,
    ) -> None:
        self.access_key_id, self.access_key_secret = access_key_id, access_key_secret
        self.sign_name = sign_name
        self.templates = templates
        self.endpoint = endpoint if endpoint.endswith("/") else f"{endpoint}/"
        self.region_id = region_id
        self.timeout = timeout

    def request_params(self, phone: str, template_code: str, params: dict[str, str]) -> dict:
        fields = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": self.region_id,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": timestamp(),
            "Version": API_VERSION,
            "PhoneNumbers": phone,
            "SignName": self.sign_name,
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
            "OutId": uuid.uuid4().hex[:16],
        }
        fields["Signature"] = signature("POST", fields, self.access_key_secret)
        return fields

    def send(self, recipient: Recipient, message: Message) -> MessageResult:
        if not recipient.phone:
            return MessageResult(False, self.name, error="recipient has no phone number")
        code = self.templates.get(message.template)
        if not code:
            return MessageResult(False, self.name, error=f"no template for {message.template}")
        fields = self.request_params(recipient.phone, code, message.params)
        body = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in fields.items())
        request = urllib.request.Request(  # noqa: S310 - https (or the configured double)
            self.endpoint,
            data=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                reply = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:  # Aliyun answers errors with 4xx and a JSON body
            try:
                reply = json.loads(exc.read().decode("utf-8"))
            except ValueError:
                return MessageResult(False, self.name, error=f"HTTP {exc.code}")
        if reply.get("Code") != "OK":
            return MessageResult(
                False, self.name, error=f"{reply.get('Code')} {reply.get('Message')}"
            )
        return MessageResult(
            True,
            self.name,
            provider_id=str(reply.get("BizId", "")),
            extra={"request_id": reply.get("RequestId", "")},
        )
