"""WSGI entry point: gunicorn serves every HTTP page and the API with it in production
(deploy/gunicorn.conf.py); daphne serves only the websockets (``zhdj.asgi``)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhdj.settings.local")

application = get_wsgi_application()

# Production settings with test keys, debug mode or demo data: the server does not start
# (gunicorn runs no system checks itself; zhdj/checks.py). Only production settings are
# checked, so the benchmarks' cut-down settings need none of what the checks import.
from django.conf import settings  # noqa: E402

if getattr(settings, "ZHDJ_PRODUCTION", False):
    from zhdj.checks import refuse_unsafe_start

    refuse_unsafe_start("网页服务")
