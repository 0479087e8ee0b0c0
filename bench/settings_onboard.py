"""bench/onboard.py: the project's real settings on database zhdj_bench_onboard, plus a
one-table bench tenant app (bench.migrateapp) whose second migration is offered only when
BENCH_PENDING_ADDFIELD=1 (to time migrate_schemas with one AddField pending)."""

from __future__ import annotations

import os

from bench.common import DB_ONBOARD, db_options, force_env

force_env(DB_ONBOARD)

from zhdj.settings.base import *  # noqa: E402, F403
from zhdj.settings.base import DATABASES, INSTALLED_APPS, TENANT_APPS  # noqa: E402

DEBUG = False
TENANT_APPS = [*TENANT_APPS, "bench.migrateapp"]
INSTALLED_APPS = [*INSTALLED_APPS, "bench.migrateapp"]
DATABASES["default"]["OPTIONS"] = db_options("zhdj_bench_onboard")
if os.environ.get("BENCH_PENDING_ADDFIELD") == "1":
    MIGRATION_MODULES = {"migrateapp": "bench.migrateapp.migrations_pending"}
