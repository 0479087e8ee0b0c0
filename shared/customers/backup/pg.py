"""The PostgreSQL client programs, pointed at the application's database."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from django.db import connection


def pg_program(name: str) -> str:
    """``pg_dump``/``pg_restore``/``psql`` of the server's major version when pg_config
    says where they are (Debian keeps several versions side by side), else from PATH."""
    config = shutil.which("pg_config")
    if config:
        found = subprocess.run(  # noqa: S603
            [config, "--bindir"], capture_output=True, text=True, check=False
        )
        candidate = Path(found.stdout.strip()) / name
        if candidate.exists():
            return str(candidate)
    fallback = Path("/usr/lib/postgresql/15/bin") / name
    return str(fallback) if fallback.exists() else name


def pg_env() -> dict[str, str]:
    """The environment that points libpq programs at Django's database (the test database
    under tests): host, port, user, password and database name, nothing on a command line."""
    settings = connection.settings_dict
    env = dict(os.environ)
    pairs = {
        "PGHOST": settings.get("HOST"),
        "PGPORT": settings.get("PORT"),
        "PGUSER": settings.get("USER"),
        "PGPASSWORD": settings.get("PASSWORD"),
        "PGDATABASE": settings.get("NAME"),
    }
    env.update({key: str(value) for key, value in pairs.items() if value})
    return env


def conninfo() -> str:
    """A libpq connection string for psycopg (same target as ``pg_env``)."""
    from psycopg.conninfo import make_conninfo

    settings = connection.settings_dict
    params = {
        "host": settings.get("HOST") or None,
        "port": settings.get("PORT") or None,
        "user": settings.get("USER") or None,
        "password": settings.get("PASSWORD") or None,
        "dbname": settings.get("NAME"),
        "application_name": "zhdj-backup",
    }
    return make_conninfo(**{key: str(value) for key, value in params.items() if value})
