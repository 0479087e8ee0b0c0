"""bench/migrate_scale.py: the project's settings on database zhdj_bench_migrate (or another
zhdj_bench_* database named by BENCH_MIGRATE_DB) plus the one-table bench tenant app
(bench.migrateapp), whose second migration is offered only when BENCH_PENDING_ADDFIELD is
set — as bench/settings_onboard.py does for its own database:

* ``1``: ``migrations_pending``, one nullable AddField (catalogue-only, no deferred SQL);
* ``indexed``: ``migrations_indexed``, an AddField with an index (deferred SQL, which
  Django runs and records apart) and a short sleep per schema, for
  tests/zhdj/test_migrate_kill.py to kill a run in the middle.
"""

from __future__ import annotations

import os

from bench.common import db_options, force_env

DB = os.environ.get("BENCH_MIGRATE_DB", "zhdj_bench_migrate")
force_env(DB)

from zhdj.settings.base import *  # noqa: E402, F403
from zhdj.settings.base import DATABASES, INSTALLED_APPS, TENANT_APPS  # noqa: E402

DEBUG = False
TENANT_APPS = [*TENANT_APPS, "bench.migrateapp"]
INSTALLED_APPS = [*INSTALLED_APPS, "bench.migrateapp"]
DATABASES["default"]["OPTIONS"] = db_options(DB)
PENDING_MODULES = {
    "1": "bench.migrateapp.migrations_pending",
    "indexed": "bench.migrateapp.migrations_indexed",
}
if os.environ.get("BENCH_PENDING_ADDFIELD") in PENDING_MODULES:
    MIGRATION_MODULES = {"migrateapp": PENDING_MODULES[os.environ["BENCH_PENDING_ADDFIELD"]]}
