"""Import boundaries (CONVENTIONS §10) and settings hygiene."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'src'}:{ROOT}")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--config", "pyproject.toml"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_pass_django_deploy_checks():
    env = dict(
        os.environ,
        PYTHONPATH=f"{ROOT / 'src'}:{ROOT}",
        DJANGO_SETTINGS_MODULE="zhdj.settings.production",
        DJANGO_SECRET_KEY="x" * 60 + "-prod-like-secret-key-for-check-only",
        DJANGO_ALLOWED_HOSTS=".dj.example.gov.cn",
        DATABASE_URL="postgres://postgres@127.0.0.1:54329/zhdj",
        REDIS_URL="redis://127.0.0.1:63799/5",
        ZHDJ_BASE_DOMAIN="dj.example.gov.cn",
        # The start-up checks (zhdj/checks.py) refuse the test settings' master key and
        # payment double, which this process inherits.
        ZHDJ_MASTER_KEY="0123456789abcdef" * 4,
        ZHDJ_PAYMENT_DOUBLE="0",
        # Archives: the test settings' local private key is refused in production.
        ZHDJ_BACKUP_IDENTITY_FILE="",
        ZHDJ_BACKUP_RECIPIENTS="age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_third_party_asset_is_committed():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [p for p in tracked if p.endswith((".min.js", ".min.css"))]
    assert not [p for p in tracked if p.startswith(("node_modules/", ".venv/", "staticfiles/"))]
