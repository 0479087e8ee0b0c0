"""WSGI entry point (benchmarks and tools; production serves through daphne)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhdj.settings.local")

application = get_wsgi_application()
