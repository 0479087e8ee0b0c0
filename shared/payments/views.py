"""Gateway notification endpoints on the public host (/pay/notify/<channel>/).

The notification is verified by the channel's adapter (signature, certificate chain,
timestamp window, app id), the order number is looked up in the public registry, and
the county's handler (``settings.ZHDJ_PAYMENT_HANDLER``; shared/ never imports tenants/)
runs inside that county's schema. Answers:

- acknowledged: applied, or a duplicate of one already applied, or a non-paid state;
- refused (4xx or the gateway's "fail"): bad signature, not ours, amount mismatch;
- retryable (5xx): the order is not committed yet (or unknown), or the county failed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tenants.utils import schema_context

from shared.payments.providers import CHANNELS, adapter
from shared.payments.providers.base import NoticeRejected, SignatureInvalid
from shared.payments.registry import order_lookup
from zhdj.web.access import open_page

log = logging.getLogger(__name__)

ACKNOWLEDGED = frozenset({"paid", "duplicate", "not_success", "already_paid"})
RETRY = frozenset({"unknown_order"})


@open_page
@csrf_exempt  # gateways sign their requests; there is no session
@require_POST
def notify(request: HttpRequest, channel: str) -> HttpResponse:
    if getattr(request, "tenant", None) is not None or channel not in CHANNELS:
        raise Http404("页面不存在")
    provider = adapter(channel)
    headers = dict(request.headers.items())  # Title-Case names (Wechatpay-Signature)
    try:
        notice = provider.parse_notice(headers, request.body)
    except SignatureInvalid as exc:
        log.warning("payments: %s notification refused, signature: %s", channel, exc)
        return provider.ack(False)
    except NoticeRejected as exc:
        log.warning("payments: %s notification refused: %s", channel, exc)
        return provider.ack(False)
    order = order_lookup(notice.order_no)
    if order is None or order.channel != channel:
        # Not committed yet (or never ours): the gateway retries for about a day.
        log.info("payments: %s notification for unregistered order, retry", channel)
        return provider.ack(False, retry=True)
    handler = import_string(settings.ZHDJ_PAYMENT_HANDLER)
    with schema_context(order.schema_name):
        outcome = handler(notice)
    if outcome in ACKNOWLEDGED:
        return provider.ack(True)
    return provider.ack(False, retry=outcome in RETRY)
