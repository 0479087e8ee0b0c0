"""Local development and ``make demo``: the private PostgreSQL + Redis started by
deploy/local/services.sh.

Every value that base.py derives from another (the payment double and static serving
from ``DEBUG``) is decided here *before* base.py is imported: assigning ``DEBUG`` after
the import left the payment double off and online payment failing with a 500.
``make demo`` runs with ``DJANGO_DEBUG=0`` so a county trying the demo sees the product's
own error pages, never a traceback; a developer's ``runserver`` keeps ``DEBUG`` on.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "local-dev-only-not-secret")
os.environ.setdefault("DJANGO_DEBUG", "1")
_PG_PORT = os.environ.get("ZHDJ_PG_PORT", "54329")
_REDIS_PORT = os.environ.get("ZHDJ_REDIS_PORT", "63799")
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:{_PG_PORT}/zhdj")
os.environ.setdefault("REDIS_URL", f"redis://127.0.0.1:{_REDIS_PORT}/0")
os.environ.setdefault("ZHDJ_MASTER_KEY", "00" * 32)
# Local runs pay through the gateway double with its TEST ONLY keys (docs/dues.md), and
# daphne serves /static/, whatever DEBUG is.
os.environ.setdefault("ZHDJ_PAYMENT_DOUBLE", "1")
os.environ.setdefault("ZHDJ_SERVE_STATIC", "1")
# Addresses are geocoded by the local double (no network, demo place names only).
os.environ.setdefault("ZHDJ_GEOCODER", "double")
# Accounts' SMS go to the local SMS double (Aliyun's protocol, TEST ONLY key), which
# scripts/demo.sh starts on :8125 (its received messages: http://127.0.0.1:8125/).
os.environ.setdefault("ZHDJ_SMS_DOUBLE", "1")
# County archives are encrypted to a local age identity, made on first use
# (shared/customers/backup/keys.py); production lists recipients and holds no identity.
os.environ.setdefault(
    "ZHDJ_BACKUP_IDENTITY_FILE",
    os.path.join(os.path.dirname(__file__), "..", "..", "..", ".local", "backup-identity.txt"),
)

from zhdj.settings.base import *
