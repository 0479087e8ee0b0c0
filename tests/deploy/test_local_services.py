"""The private PostgreSQL starts from wherever a newcomer clones, as root too: a clone in
root's home folder (mode 700) stopped at ``initdb: could not access directory``, since the
cluster runs as the ``postgres`` user, who cannot enter that folder."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.live import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(os.geteuid() != 0, reason="the postgres-user path is taken as root only")
def test_services_start_from_a_clone_the_postgres_user_cannot_enter(tmp_path):
    home = tmp_path / "home"
    clone = home / "zhdj"
    (clone / "deploy" / "local").mkdir(parents=True)
    shutil.copy(ROOT / "deploy/local/services.sh", clone / "deploy/local/services.sh")
    home.chmod(0o700)
    env = {**os.environ, "ZHDJ_PG_PORT": str(free_port()), "ZHDJ_REDIS_PORT": str(free_port())}
    script = str(clone / "deploy/local/services.sh")
    try:
        subprocess.run([script, "start"], env=env, check=True, capture_output=True, timeout=120)
        link = clone / ".local" / "pgdata"
        assert link.is_symlink()
        assert (link / "PG_VERSION").is_file()
        answer = subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                env["ZHDJ_PG_PORT"],
                "-U",
                "postgres",
                "-Atc",
                "select 1",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert answer.stdout.strip() == "1"
        outside = link.resolve().parent
    finally:
        subprocess.run([script, "purge"], env=env, check=False, capture_output=True, timeout=120)
    assert not outside.exists()
    assert not (clone / ".local").exists()
