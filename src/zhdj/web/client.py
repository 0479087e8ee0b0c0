"""The client's address as the platform's own proxies saw it.

nginx (and the chart's ingress) append the address they received the request from to
``X-Forwarded-For`` (``$proxy_add_x_forwarded_for``); whatever a client put in the header
itself stands to the left of that. So the address is read from the right: with
``ZHDJ_TRUSTED_PROXIES`` proxies in front (1 behind nginx, 0 when the server is reached
directly, as in local runs), it is the entry that many places from the right, and
``REMOTE_ADDR`` with none. The leftmost entry, which the client chooses, is never read.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address, or None when there is no valid one."""
    proxies = getattr(settings, "ZHDJ_TRUSTED_PROXIES", 0)
    address = request.META.get("REMOTE_ADDR", "")
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
