"""Local development: the private PostgreSQL + Redis started by deploy/local/services.sh."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "local-dev-only-not-secret")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:54329/zhdj")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:63799/0")
os.environ.setdefault("ZHDJ_MASTER_KEY", "00" * 32)

from zhdj.settings.base import *  # noqa: F403

DEBUG = True
ZHDJ_SERVE_STATIC = True
