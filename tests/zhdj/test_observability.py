from __future__ import annotations

import logging

import pytest
import sentry_sdk
from django_tenants.utils import schema_context
from sentry_sdk.transport import Transport

from zhdj.observability import (
    SENTRY_DATA_COLLECTION,
    RedactPersonalDataFilter,
    TenantLogFilter,
    redact,
    scrub_event,
)

ID_NUMBER = "61080219900307123X"
PHONE = "13912345678"


class CaptureTransport(Transport):
    """Keeps events in memory instead of sending them to a Sentry server."""

    def __init__(self, options=None):  # type: ignore[no-untyped-def]
        super().__init__(options)
        self.events: list[dict] = []

    def capture_envelope(self, envelope):  # type: ignore[no-untyped-def]
        for item in envelope.items:
            if item.type in ("event", "transaction"):
                self.events.append(item.payload.json)


def test_redact_masks_id_numbers_and_mobiles_but_not_other_numbers():
    text = f"身份证 {ID_NUMBER} 手机 {PHONE} 组织编号 20240001"
    cleaned = redact(text)
    assert ID_NUMBER not in cleaned and PHONE not in cleaned
    assert "20240001" in cleaned


def _record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("zhdj", logging.INFO, __file__, 1, message, args, None)


@pytest.mark.django_db
def test_log_records_carry_the_schema_and_no_personal_data(alpha):
    with schema_context(alpha.schema):
        record = _record("导入 %s 的手机 %s", ID_NUMBER, PHONE)
        TenantLogFilter().filter(record)
        RedactPersonalDataFilter().filter(record)
    assert record.schema == alpha.schema
    assert ID_NUMBER not in record.getMessage() and PHONE not in record.getMessage()


def test_configured_handlers_redact(caplog):
    from django.conf import settings

    assert "redact" in settings.LOGGING["handlers"]["console"]["filters"]
    assert "tenant" in settings.LOGGING["handlers"]["console"]["filters"]


def test_scrub_event_drops_bodies_cookies_and_masks_values():
    event = {
        "message": f"bad id {ID_NUMBER}",
        "request": {
            "data": {"id_number": ID_NUMBER},
            "cookies": {"zhdj_session": "abc"},
            "headers": {"Cookie": "zhdj_session=abc", "User-Agent": "x"},
        },
        "extra": {"phone": PHONE, "note": f"call {PHONE}"},
        "user": {"username": "someone"},
    }
    cleaned = scrub_event(event)
    flat = repr(cleaned)
    assert ID_NUMBER not in flat and PHONE not in flat and "abc" not in flat
    assert "user" not in cleaned
    assert cleaned["request"]["headers"]["User-Agent"] == "x"


@pytest.mark.django_db
def test_sentry_events_are_tagged_with_the_tenant_and_scrubbed(alpha):
    transport = CaptureTransport()
    sentry_sdk.init(
        dsn="http://public@127.0.0.1:9/1",
        transport=transport,
        before_send=scrub_event,
        default_integrations=False,
        data_collection=SENTRY_DATA_COLLECTION,
    )
    try:
        with schema_context(alpha.schema):
            try:
                raise ValueError(f"身份证号 {ID_NUMBER} 校验失败")
            except ValueError as exc:
                sentry_sdk.capture_exception(exc)
        sentry_sdk.flush()
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init(dsn=None)
    assert transport.events, "the event reached the transport"
    event = transport.events[0]
    assert event["tags"]["tenant"] == alpha.schema
    assert ID_NUMBER not in repr(event)
