"""The whole-database schedule of the local default, as a drill: WAL archived, a base
backup, more writes, then a point-in-time recovery that brings back exactly what was
committed before the target time (docs/operations.md, "Whole-database backup")."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.support.live import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_a_base_backup_and_the_wal_restore_to_a_point_in_time(tmp_path):
    clone = tmp_path / "zhdj"
    (clone / "deploy" / "local").mkdir(parents=True)
    shutil.copy(ROOT / "deploy/local/services.sh", clone / "deploy/local/services.sh")
    port = str(free_port())
    env = {**os.environ, "ZHDJ_PG_PORT": port, "ZHDJ_REDIS_PORT": str(free_port())}
    script = str(clone / "deploy/local/services.sh")

    def services(*args: str, archive: bool = False) -> str:
        extra = {"ZHDJ_PG_ARCHIVE": "1"} if archive else {}
        done = subprocess.run(
            [script, *args], env={**env, **extra}, check=True, capture_output=True, text=True,
            timeout=180,
        )  # fmt: skip
        return done.stdout

    def sql(statement: str, database: str = "drill") -> str:
        done = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", database, "-Atqc",
             statement],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return done.stdout.strip()

    try:
        services("start", archive=True)
        sql("CREATE DATABASE drill", database="postgres")
        sql("CREATE TABLE t (x int); INSERT INTO t VALUES (1)")
        base = services("basebackup").split("base backup: ")[1].strip()
        sql("INSERT INTO t VALUES (2)")
        time.sleep(1.2)
        target = datetime.now(UTC).isoformat()
        time.sleep(1.2)
        sql("INSERT INTO t VALUES (3)")
        sql("SELECT pg_switch_wal()")  # the segment with row 3 reaches the archive
        time.sleep(1.5)
        services("stop")
        services("pitr-restore", base, target)
        services("start")
        assert sql("SELECT string_agg(x::text, ',' ORDER BY x) FROM t") == "1,2"
    finally:
        subprocess.run([script, "purge"], env=env, check=False, capture_output=True, timeout=120)
