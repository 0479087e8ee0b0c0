"""Logs and Sentry events: tagged with the tenant schema, scrubbed of personal data.

Personal data that must never leave the process in clear (PIPL, 等保 2.0): ID
numbers (GB 11643), mobile phone numbers, and anything in request bodies, cookies
or headers. Both the logging filter and Sentry's ``before_send`` use the same
redaction.
"""

from __future__ import annotations

import logging
import re
from typing import Any

ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
REDACTED = "[已脱敏]"
SENSITIVE_KEYS = frozenset(
    {
        "id_number",
        "id_card",
        "phone",
        "mobile",
        "address",
        "password",
        "password1",
        "password2",
        "sfzh",
        "sessionid",
        "zhdj_session",
        "csrftoken",
    }
)


def redact(text: str) -> str:
    """Mask ID numbers and mobile numbers in free text."""
    return MOBILE_RE.sub(REDACTED, ID_NUMBER_RE.sub(REDACTED, text))


def _current_schema() -> str:
    try:
        from django.db import connection

        return connection.schema_name or "-"
    except Exception:
        return "-"


class TenantLogFilter(logging.Filter):
    """Adds ``record.schema`` and ``record.request_id`` so every log line names the county
    it came from and the request it belongs to (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from zhdj.web.request_id import current_request_id

        if not hasattr(record, "schema"):
            record.schema = _current_schema()
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


class RedactPersonalDataFilter(logging.Filter):
    """Replaces ID numbers and phone numbers in the formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {
            k: (REDACTED if str(k).lower() in SENSITIVE_KEYS else _scrub(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sentry ``before_send``: tag the schema, drop bodies and cookies, redact the rest."""
    event.setdefault("tags", {})
    if isinstance(event["tags"], dict):
        event["tags"].setdefault("tenant", _current_schema())
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("data", None)
        request.pop("cookies", None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            for name in list(headers):
                if name.lower() in {"cookie", "authorization", "x-csrftoken"}:
                    headers[name] = REDACTED
    event.pop("user", None)
    return _scrub(event)


# Collect nothing that can hold personal data: no user identity, no request bodies,
# no local variables of stack frames, no SQL parameters.
SENTRY_DATA_COLLECTION: dict[str, Any] = {
    "user_info": False,
    "http_bodies": [],
    "stack_frame_variables": False,
    "database_query_data": False,
}


_sentry_on = False


def init_sentry(dsn: str, environment: str, traces_sample_rate: float) -> None:
    global _sentry_on  # noqa: PLW0603 — set once at start-up
    import sentry_sdk

    _sentry_on = True
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        data_collection=SENTRY_DATA_COLLECTION,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=scrub_event,
        before_send_transaction=scrub_event,
    )


def tag_tenant(schema_name: str) -> None:
    """Tag the current Sentry scope (request or task) with the tenant schema."""
    if _sentry_on:  # a plain flag: this runs on every request
        import sentry_sdk

        sentry_sdk.get_isolation_scope().set_tag("tenant", schema_name)
