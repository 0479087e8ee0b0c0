"""Production: TLS in front (nginx / ingress), secure cookies, HSTS."""

from __future__ import annotations

import os

# Hashed, compressed static files (zhdj.settings.base): decided before base is imported.
os.environ.setdefault("ZHDJ_STATIC_MANIFEST", "1")
# JSON log lines with the county and the request id, for the log collector.
os.environ.setdefault("ZHDJ_LOG_FORMAT", "json")

from zhdj.settings.base import *
from zhdj.settings.base import env

DEBUG = False
# Start-up checks (zhdj.checks) refuse test keys, debug mode and demo data under these settings.
ZHDJ_PRODUCTION = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$", r"^readyz$", r"^celeryz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# nginx in front appends the client address to X-Forwarded-For (zhdj.web.client).
ZHDJ_TRUSTED_PROXIES = env.int("ZHDJ_TRUSTED_PROXIES", default=1)
