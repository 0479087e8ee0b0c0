"""The Aliyun SMS backend (dysmsapi SendSms, RPC signature) against Aliyun's own
documented example and against the local double, which verifies what Aliyun verifies."""

from __future__ import annotations

import json
import logging
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from zhdj.messaging import message_send
from zhdj.messaging.base import Message, Recipient
from zhdj.messaging.logging import OUTBOX
from zhdj.messaging.sms_aliyun import AliyunSmsBackend, canonical_query, signature
from zhdj.messaging.sms_double import (
    TEST_ACCESS_KEY_SECRET,
    SmsDouble,
    backend_options,
)


class User:
    pk = 9
    full_name = "张三"


@pytest.fixture
def double() -> Iterator[SmsDouble]:
    running = SmsDouble.start()
    yield running
    running.stop()


def sms_settings(settings, url: str) -> None:  # type: ignore[no-untyped-def]
    settings.ZHDJ_MESSAGING = {
        "SMS": {
            "BACKEND": "zhdj.messaging.sms_aliyun.AliyunSmsBackend",
            "OPTIONS": backend_options(url),
        }
    }


def test_the_signature_of_aliyuns_documented_example() -> None:
    """help.aliyun.com's SendSms signing example: testId / testSecret, its fixed nonce and
    timestamp, signature zJDF+Lrzhj/ThnlvIToysFRq6t4= (GET)."""
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert canonical_query(params).startswith(
        "AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001"
        "&RegionId=cn-hangzhou&SignName=%E9%98%BF%E9%87%8C"
    )
    assert "TemplateParam=%7B%22customer%22%3A%22test%22%7D&Timestamp=2017-07-12T02%3A42%3A19Z" in (
        canonical_query(params)
    )
    assert signature("GET", params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_accounts_messages_go_by_sms_to_the_double(settings, double) -> None:  # type: ignore[no-untyped-def]
    sms_settings(settings, double.url)
    result = message_send(
        recipient_user=User(),
        template="accounts.login_issued",
        params={"name": "张三", "login": "zhangsan", "password": "Ab3#xyzQ9"},
        phone="13912345678",
    )
    assert result.sent and result.backend == "sms_aliyun" and result.provider_id
    (got,) = double.messages
    assert got.phone == "13912345678"
    assert got.template_code == "SMS_TESTONLY_LOGIN"
    assert got.params == {"name": "张三", "login": "zhangsan", "password": "Ab3#xyzQ9"}
    assert "登录名zhangsan，初始密码Ab3#xyzQ9" in got.text


def test_other_messages_keep_the_main_backend(settings, double) -> None:  # type: ignore[no-untyped-def]
    sms_settings(settings, double.url)
    OUTBOX.clear()
    message_send(recipient_user=User(), template="development.step_due", params={"count": 1})
    assert len(OUTBOX) == 1 and not double.messages


def test_the_double_refuses_a_wrong_signature_and_a_replayed_nonce(double) -> None:  # type: ignore[no-untyped-def]
    options = backend_options(double.url)
    backend = AliyunSmsBackend(**{**options, "access_key_secret": "not-the-secret"})
    result = backend.send(
        Recipient(1, "张三", phone="13912345678"), Message("accounts.reset_code", {"code": "1"})
    )
    assert not result.sent and result.error.startswith("SignatureDoesNotMatch")

    good = AliyunSmsBackend(**options)
    fields = good.request_params("13912345678", "SMS_TESTONLY_CODE", {"code": "123456"})
    body = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(urllib.request.Request(double.url, data=body)) as r:
        assert json.loads(r.read())["Code"] == "OK"
    with pytest.raises(urllib.error.HTTPError) as replay:
        urllib.request.urlopen(urllib.request.Request(double.url, data=body))
    assert json.loads(replay.value.read())["Code"] == "SignatureNonceUsed"
    # The signature covers every parameter: a changed text no longer verifies.
    tampered = {**fields, "TemplateParam": '{"code":"999999"}', "SignatureNonce": "other"}
    assert signature("POST", tampered, TEST_ACCESS_KEY_SECRET) != fields["Signature"]
    assert len(double.messages) == 1


@pytest.mark.parametrize(
    ("phone", "template", "error"),
    [
        ("12345", "accounts.reset_code", "isv.MOBILE_NUMBER_ILLEGAL"),
        ("", "accounts.reset_code", "recipient has no phone number"),
        ("13912345678", "accounts.unknown", "no template for accounts.unknown"),
    ],
)
def test_what_cannot_be_sent_is_a_result_not_an_exception(  # type: ignore[no-untyped-def]
    settings, double, phone, template, error
) -> None:
    sms_settings(settings, double.url)
    result = message_send(
        recipient_user=User(), template=template, params={"code": "1"}, phone=phone
    )
    assert not result.sent and result.error.startswith(error)


def test_an_unreachable_provider_is_a_result_too(settings) -> None:  # type: ignore[no-untyped-def]
    sms_settings(settings, "http://127.0.0.1:9/")
    result = message_send(
        recipient_user=User(),
        template="accounts.reset_code",
        params={"code": "1"},
        phone="13912345678",
    )
    assert not result.sent


def test_no_password_or_code_reaches_the_log(settings, caplog) -> None:  # type: ignore[no-untyped-def]
    settings.ZHDJ_MESSAGING = {}
    caplog.set_level(logging.DEBUG)
    message_send(
        recipient_user=User(),
        template="accounts.password_reset",
        params={"name": "张三", "password": "Secret#Pw9"},
        phone="13912345678",
    )
    message_send(recipient_user=User(), template="accounts.reset_code", params={"code": "864209"})
    assert "Secret#Pw9" not in caplog.text and "864209" not in caplog.text
    assert "password=***" in caplog.text
