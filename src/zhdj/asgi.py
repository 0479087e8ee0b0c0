"""ASGI entry point (daphne): HTTP through Django, websockets through Channels."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhdj.settings.local")

from django.conf import settings
from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()
# Production settings with test keys, debug mode or demo data: daphne does not start
# (it runs no system checks itself; zhdj/checks.py).
from zhdj.checks import refuse_unsafe_start  # noqa: E402

refuse_unsafe_start("网页服务")
if settings.ZHDJ_SERVE_STATIC:
    # Local runs and tests: daphne serves /static/ itself (nginx does in production).
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    django_asgi_app = ASGIStaticFilesHandler(django_asgi_app)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from zhdj.routing import websocket_urlpatterns  # noqa: E402
from zhdj.tenancy.channels import TenantWebsocketMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            TenantWebsocketMiddleware(URLRouter(websocket_urlpatterns))
        ),
    }
)
