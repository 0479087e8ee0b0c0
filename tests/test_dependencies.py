"""Dependencies (issue 18): every third-party package the application imports is declared
in pyproject.toml, every declared one is imported or used, and the lock files pin exactly
the declared versions with hashes (scripts/lock.sh; scripts/bootstrap.sh and the Dockerfile
install them with ``--require-hashes``)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
FIRST_PARTY = {"zhdj", "shared", "tenants", "bench", "tests"}
# Declared but never imported by name: servers, plugins and backends named in settings or
# on a command line.
USED_WITHOUT_IMPORT = {
    "daphne": "the websocket server (deploy/, asgi)",
    "gunicorn": "the web server (deploy/gunicorn.conf.py)",
    "channels-redis": "CHANNEL_LAYERS backend",
    "psycopg": "the database driver (DATABASES)",
    "argon2-cffi": "PASSWORD_HASHERS",
    "whitenoise": "STORAGES staticfiles backend",
    "drf-spectacular-sidecar": "Swagger UI files (INSTALLED_APPS)",
    "django-filter": "REST_FRAMEWORK DEFAULT_FILTER_BACKENDS, INSTALLED_APPS",
    "python-json-logger": "LOGGING formatter (ZHDJ_LOG_FORMAT=json)",
}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _name(requirement: str) -> str:
    return _norm(re.split(r"[\[=<>~ ]", requirement, maxsplit=1)[0])


def _pins(requirements: list[str]) -> dict[str, str]:
    out = {}
    for r in requirements:
        assert "==" in r, f"{r}: every dependency is pinned with =="
        out[_name(r)] = r.split("==", 1)[1]
    return out


def _imported() -> set[str]:
    found: set[str] = set()
    for folder in ("src/zhdj", "shared", "tenants"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m not in FIRST_PARTY}


def _lock(name: str) -> dict[str, tuple[str, int]]:
    """package → (version, number of hashes) of a lock file."""
    text = (ROOT / name).read_text(encoding="utf-8")
    out = {}
    for block in re.split(r"\n(?=[a-z0-9])", text):
        m = re.match(r"([a-z0-9][a-z0-9._-]*)==([^\s\\]+)", block)
        if m:
            out[_norm(m.group(1))] = (m.group(2), block.count("--hash=sha256:"))
    return out


def test_every_imported_package_is_declared():
    declared = set(_pins(PROJECT["dependencies"]))
    dists = packages_distributions()
    missing = {
        module: dists.get(module)
        for module in _imported()
        if not any(_norm(d) in declared for d in dists.get(module, []))
    }
    assert not missing, f"imported but not declared in [project.dependencies]: {missing}"


def test_every_declared_package_is_used():
    dists = packages_distributions()
    imported = {_norm(d) for m in _imported() for d in dists.get(m, [])}
    unused = set(_pins(PROJECT["dependencies"])) - imported - set(USED_WITHOUT_IMPORT)
    assert not unused, f"declared but never imported: {sorted(unused)}"


def test_the_locks_pin_the_declared_versions_with_hashes():
    main, dev = _lock("requirements.lock"), _lock("requirements-dev.lock")
    for name, version in _pins(PROJECT["dependencies"]).items():
        assert main.get(name, ("",))[0] == version, f"{name}: requirements.lock is stale"
        assert dev.get(name, ("",))[0] == version, f"{name}: requirements-dev.lock is stale"
    for name, version in _pins(PROJECT["optional-dependencies"]["dev"]).items():
        assert dev.get(name, ("",))[0] == version, f"{name}: requirements-dev.lock is stale"
    for name, (version, hashes) in {**main, **dev}.items():
        assert hashes >= 1, f"{name}=={version} has no hash"
    # The application's lock is the same versions as the development one.
    assert all(dev[name][0] == version for name, (version, _) in main.items())
