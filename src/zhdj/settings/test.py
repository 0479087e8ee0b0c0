"""Test settings: real PostgreSQL and Redis (a separate Redis database), fast hashing."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret")
_PG_PORT = os.environ.get("ZHDJ_PG_PORT", "54329")
_REDIS_PORT = os.environ.get("ZHDJ_REDIS_PORT", "63799")
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:{_PG_PORT}/zhdj")
os.environ.setdefault("REDIS_URL", f"redis://127.0.0.1:{_REDIS_PORT}/5")
os.environ.setdefault("ZHDJ_MASTER_KEY", "11" * 32)
os.environ.setdefault("ZHDJ_CACHE_PREFIX", "zhdjtest")
os.environ.setdefault("ZHDJ_CHANNEL_PREFIX", "zhdjtest:asgi")
# Party dues: the payment gateway double with its TEST ONLY keys (docs/dues.md).
os.environ.setdefault("ZHDJ_PAYMENT_DOUBLE", "1")
# API rate limits: the suite's users make thousands of requests a minute, and the counters
# (in Redis) outlive each test's transaction. tests/zhdj/test_throttle.py sets its own.
os.environ.setdefault("ZHDJ_API_THROTTLE_USER", "100000/min")
os.environ.setdefault("ZHDJ_API_THROTTLE_ANON", "100000/min")
# County archives are encrypted to a local age identity, made on first use
# (shared/customers/backup/keys.py); production lists recipients and holds no identity.
os.environ.setdefault(
    "ZHDJ_BACKUP_IDENTITY_FILE",
    os.path.join(os.path.dirname(__file__), "..", "..", "..", ".local", "test-backup-identity.txt"),
)

from zhdj.settings.base import *
from zhdj.settings.base import DATABASES

# Tests use a fast hasher (cookiecutter-django); production uses Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("ZHDJ_TEST_DB", "test_zhdj")}
DATABASES["default"]["CONN_MAX_AGE"] = 0
ZHDJ_SERVE_STATIC = True
