"""Content Security Policy with nonces, and the other security headers (issue 17).

The policy itself is ``CONTENT_SECURITY_POLICY`` in the settings (django-csp 4.0);
this middleware adds what depends on the request:

- ``connect-src`` names the page's own host as ``ws://`` / ``wss://`` (the dashboard's
  and the bell's websockets; browsers before CSP level 3 do not count them as 'self');
- ``Permissions-Policy`` (``ZHDJ_PERMISSIONS_POLICY``).

A page that sends the browser to another site by a form (the dues cashier redirect,
the gateway double's return) names that site with :func:`allow_form_target`, for that
response only: ``form-action`` stays 'self' plus the configured gateways everywhere else.

Templates: every inline ``<script>`` and ``<style>`` carries
``nonce="{{ request.csp_nonce }}"``; no ``style="…"`` attribute and no ``on…=``
handler in markup (static/css/app.css classes, static/js). ECharts draws its SVG with
style attributes set from script, which static/js/charts.js turns into CSSOM writes
(CSP governs markup, not the CSSOM); its tooltips draw as rich text, not HTML.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase


def origin(url: str) -> str | None:
    """``scheme://host[:port]`` of an absolute http(s) URL, else None."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def allow_form_target(response: HttpResponseBase, url: str) -> HttpResponseBase:
    """Let this response's forms (and the redirects after them) go to ``url``'s site."""
    target = origin(url)
    if target:
        update = dict(getattr(response, "_csp_update", None) or {})
        update["form-action"] = [*update.get("form-action", []), target]
        response._csp_update = update  # type: ignore[attr-defined]
    return response


class SecurityHeadersMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        try:
            host = request.get_host()
        except DisallowedHost:
            return parts
        scheme = "wss" if request.is_secure() else "ws"
        update = dict(parts.update or {})
        update["connect-src"] = [*update.get("connect-src", []), f"{scheme}://{host}"]
        parts.update = update
        return parts

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        response = super().process_response(request, response)
        policy = getattr(settings, "ZHDJ_PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        # Pages that replace the response on its way out (the 405 page of a POST-only
        # address) come back without clickjacking's header: every answer carries it.
        if "X-Frame-Options" not in response and not getattr(
            response, "xframe_options_exempt", False
        ):
            response["X-Frame-Options"] = getattr(settings, "X_FRAME_OPTIONS", "DENY")
        return response
