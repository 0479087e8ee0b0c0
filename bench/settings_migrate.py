"""bench/migrate_scale.py: the project's settings on database zhdj_bench_migrate plus the
one-table bench tenant app (bench.migrateapp), whose second migration (an AddField) is
offered only when BENCH_PENDING_ADDFIELD=1 — as bench/settings_onboard.py does for its own
database."""

from __future__ import annotations

import os

from bench.common import db_options, force_env

force_env("zhdj_bench_migrate")

from zhdj.settings.base import *  # noqa: E402, F403
from zhdj.settings.base import DATABASES, INSTALLED_APPS, TENANT_APPS  # noqa: E402

DEBUG = False
TENANT_APPS = [*TENANT_APPS, "bench.migrateapp"]
INSTALLED_APPS = [*INSTALLED_APPS, "bench.migrateapp"]
DATABASES["default"]["OPTIONS"] = db_options("zhdj_bench_migrate")
if os.environ.get("BENCH_PENDING_ADDFIELD") == "1":
    MIGRATION_MODULES = {"migrateapp": "bench.migrateapp.migrations_pending"}
