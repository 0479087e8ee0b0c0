"""Local development: the private PostgreSQL + Redis started by deploy/local/services.sh."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "local-dev-only-not-secret")
_PG_PORT = os.environ.get("ZHDJ_PG_PORT", "54329")
_REDIS_PORT = os.environ.get("ZHDJ_REDIS_PORT", "63799")
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:{_PG_PORT}/zhdj")
os.environ.setdefault("REDIS_URL", f"redis://127.0.0.1:{_REDIS_PORT}/0")
os.environ.setdefault("ZHDJ_MASTER_KEY", "00" * 32)

from zhdj.settings.base import *

DEBUG = True
ZHDJ_SERVE_STATIC = True
