"""Static files as production collects them (zhdj.settings: ``ZHDJ_STATIC_MANIFEST``):
hashed names, a .gz and .br beside each text file, every ``{% static %}`` path of every
template in the manifest, and only the npm files that pages load (zhdj.web.vendor)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]\s*%\}""")


def _template_paths() -> set[str]:
    found: set[str] = set()
    for folder in ("templates", "tenants", "shared", "src"):
        for path in (ROOT / folder).rglob("*.html"):
            found |= set(STATIC_TAG.findall(path.read_text(encoding="utf-8")))
    return found


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("staticfiles")
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="zhdj.settings.local",
        ZHDJ_STATIC_MANIFEST="1",
        ZHDJ_STATIC_ROOT=str(root),
        PYTHONPATH=f"{ROOT / 'src'}:{ROOT}",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    return root


def test_every_static_path_of_the_templates_is_collected_under_a_hashed_name(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]
    used = _template_paths()
    assert "css/app.css" in used and "vendor/echarts/echarts.min.js" in used
    missing = sorted(p for p in used if p not in manifest)
    assert not missing, f"templates name static files that are not collected: {missing}"
    for path in used:
        hashed = manifest[path]
        assert re.search(r"\.[0-9a-f]{12}\.", hashed), hashed
        assert (collected / hashed).is_file()
        if hashed.endswith((".css", ".js")):
            assert (collected / f"{hashed}.gz").is_file()  # nginx gzip_static


def test_only_the_npm_files_pages_load_are_collected(collected):
    vendor = {p.relative_to(collected).as_posix() for p in (collected / "vendor").rglob("*")}
    assert not [p for p in vendor if p.startswith("vendor/echarts/") and "echarts.min" not in p]
    assert not [p for p in vendor if "-src" in p or ".esm." in p]
    size = sum(p.stat().st_size for p in (collected / "vendor").rglob("*") if p.is_file())
    assert size < 10 * 1024 * 1024, size
