"""bench/generator.py and bench/members.py: the project's real settings (zhdj.settings.base,
unchanged apps, middleware and URLs) on a bench database named by ``BENCH_MEMBERS_DB``
(default zhdj_bench_members; must be zhdj_bench_*), DEBUG off, persistent connections.

The cache and channel prefixes are the bench's own (``zhdjbench_members``) so that runs on
different bench databases never answer each other from Redis DB 9.
"""

from __future__ import annotations

import os

from bench.common import db_options, force_env

DB_NAME = os.environ.get("BENCH_MEMBERS_DB", "zhdj_bench_members")
force_env(DB_NAME)

from zhdj.settings.base import *  # noqa: E402, F403
from zhdj.settings.base import CACHES, CHANNEL_LAYERS, DATABASES  # noqa: E402

DEBUG = False
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["OPTIONS"] = db_options(DB_NAME)
CACHES["default"]["KEY_PREFIX"] = f"zhdjbench_{DB_NAME.removeprefix('zhdj_bench_')}"
CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"{CACHES['default']['KEY_PREFIX']}:asgi"
