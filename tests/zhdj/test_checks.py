"""Production start-up checks (zhdj/checks.py) and `manage.py check --deploy` (issue 17).

Under the production settings the server, the worker and migrate refuse to start on
debug mode, the payment double, test keys, a weak SECRET_KEY, a missing or test master
key and demo data; seed_demo refuses to run outside a developer's or demo machine.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core import checks as django_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection

from zhdj import checks

ROOT = Path(settings.BASE_DIR)
REAL_KEYS = "/etc/zhdj/keys"


def _ids(databases: list[str] | None = None) -> set[str]:
    return {m.id for m in checks.production_checks(databases=databases)}


OPERATOR_KEY = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"


@pytest.fixture
def production(settings):  # type: ignore[no-untyped-def]
    """The test settings turned into a clean production configuration."""
    settings.ZHDJ_PRODUCTION = True
    settings.DEBUG = False
    settings.ZHDJ_PAYMENT_DOUBLE = False
    settings.SECRET_KEY = secrets.token_urlsafe(64)
    settings.ZHDJ_MASTER_KEY = secrets.token_hex(32)
    settings.ZHDJ_BACKUP_IDENTITY_FILE = ""
    settings.ZHDJ_BACKUP_RECIPIENTS = [OPERATOR_KEY]
    pay = dict(settings.ZHDJ_PAY)
    for key in checks.PAY_KEY_PATHS:
        pay[key] = f"{REAL_KEYS}/{key.lower()}.pem"
    pay.update(
        WECHAT_APIV3_KEY=secrets.token_hex(16),
        WECHAT_CERT_SERIAL="5157F09EFDC096DE15EBE81A47057A72",
        UNIONPAY_CERT_ORG="中国银联股份有限公司",
    )
    settings.ZHDJ_PAY = pay
    messaging = dict(settings.ZHDJ_MESSAGING)
    messaging["SMS"] = {"BACKEND": "zhdj.messaging.logging.LoggingBackend", "OPTIONS": {}}
    settings.ZHDJ_MESSAGING = messaging
    return settings


def test_a_clean_production_configuration_passes(production):
    assert _ids() == set()


def test_nothing_is_checked_outside_production(settings):
    settings.ZHDJ_PRODUCTION = False
    settings.DEBUG = True
    assert _ids() == set()
    checks.refuse_unsafe_start()  # no error


def test_debug_is_refused(production):
    production.DEBUG = True
    assert _ids() == {"zhdj.E001"}


def test_the_payment_double_is_refused(production):
    production.ZHDJ_PAYMENT_DOUBLE = True
    assert _ids() == {"zhdj.E002"}


@pytest.mark.parametrize("key", checks.PAY_KEY_PATHS)
def test_a_payment_key_in_the_test_keys_folder_is_refused(production, key):
    pay = dict(production.ZHDJ_PAY)
    pay[key] = str(checks.TEST_KEYS_DIR / "TEST_ONLY_gateway_public.pem")
    production.ZHDJ_PAY = pay
    assert _ids() == {"zhdj.E003"}
    # The same folder reached through another path, under a name without TEST_ONLY.
    pay[key] = str(
        ROOT / "shared" / "payments" / ".." / "payments" / "double" / "test_keys" / "k.pem"
    )
    production.ZHDJ_PAY = pay
    assert _ids() == {"zhdj.E003"}


def test_a_copied_test_key_and_test_values_are_refused(production):
    pay = dict(production.ZHDJ_PAY)
    pay["MERCHANT_PRIVATE_KEY"] = "/etc/zhdj/keys/TEST_ONLY_merchant_private.pem"
    production.ZHDJ_PAY = pay
    assert _ids() == {"zhdj.E003"}
    pay["MERCHANT_PRIVATE_KEY"] = f"{REAL_KEYS}/merchant.pem"
    pay["WECHAT_APIV3_KEY"] = "TESTONLYapiv3key0123456789abcdef"
    production.ZHDJ_PAY = pay
    assert _ids() == {"zhdj.E003"}


@pytest.mark.parametrize("value", ["", "   ", "abc", "zz" * 32])
def test_a_missing_or_malformed_master_key_is_refused(production, value):
    production.ZHDJ_MASTER_KEY = value
    assert _ids() == {"zhdj.E004"}


@pytest.mark.parametrize("value", ["00" * 32, "11" * 32, "ab" * 32])
def test_the_test_master_keys_are_refused(production, value):
    production.ZHDJ_MASTER_KEY = value
    assert _ids() == {"zhdj.E005"}


def test_versioned_master_keys_alone_pass(production):
    """A deployment that has rotated sets ZHDJ_MASTER_KEYS only."""
    production.ZHDJ_MASTER_KEY = ""
    production.ZHDJ_MASTER_KEYS = f"2:{secrets.token_hex(32)},1:{secrets.token_hex(32)}"
    assert _ids() == set()


def test_a_test_key_among_the_versions_is_refused(production):
    production.ZHDJ_MASTER_KEY = ""
    production.ZHDJ_MASTER_KEYS = f"2:{secrets.token_hex(32)},1:{'11' * 32}"
    assert _ids() == {"zhdj.E005"}


@pytest.mark.parametrize(
    "value",
    [
        "short-" + "x" * 20,
        "test-only-not-secret",
        "local-dev-only-not-secret",
        "django-insecure-" + secrets.token_urlsafe(50),
        secrets.token_urlsafe(40) + "demo" + secrets.token_urlsafe(10),
        secrets.token_urlsafe(40) + "TEST" + secrets.token_urlsafe(10),
    ],
)
def test_a_weak_secret_key_is_refused(production, value):
    production.SECRET_KEY = value
    assert _ids() == {"zhdj.E006"}


def test_the_sms_double_is_refused(production):
    from zhdj.messaging.sms_double import backend_options

    messaging = dict(production.ZHDJ_MESSAGING)
    messaging["SMS"] = {
        "BACKEND": "zhdj.messaging.sms_aliyun.AliyunSmsBackend",
        "OPTIONS": backend_options("http://127.0.0.1:8125/"),
    }
    production.ZHDJ_MESSAGING = messaging
    assert _ids() == {"zhdj.E008"}


def test_demo_data_is_refused(production, db):
    assert _ids(["default"]) == set()
    connection.set_schema_to_public()
    checks.demo_marker_write()  # what seed_demo leaves (rolled back with the test)
    assert checks.demo_data_present()
    assert _ids(["default"]) == {"zhdj.E007"}
    with pytest.raises(ImproperlyConfigured, match=r"zhdj\.E007"):
        checks.refuse_unsafe_start()


def test_every_refusal_is_named_at_start(production, db):
    production.DEBUG = True
    production.SECRET_KEY = "test"
    with pytest.raises(ImproperlyConfigured) as refused:
        checks.refuse_unsafe_start("网页服务")
    text = str(refused.value)
    assert "网页服务拒绝以生产配置启动" in text
    assert "zhdj.E001" in text and "zhdj.E006" in text


def test_the_worker_refuses_to_start(production, db):
    """Celery swallows a signal receiver's exception: the refusal is a SystemExit."""
    from zhdj.celery import _refuse_unsafe_start

    _refuse_unsafe_start()  # a clean configuration starts
    production.ZHDJ_PAYMENT_DOUBLE = True
    with pytest.raises(SystemExit, match="后台任务进程拒绝以生产配置启动"):
        _refuse_unsafe_start()


def test_seed_demo_refuses_production_settings(production, monkeypatch):
    monkeypatch.setenv("ZHDJ_DEMO", "1")
    production.DEBUG = True
    with pytest.raises(CommandError, match="生产配置"):
        call_command("seed_demo")


def test_seed_demo_refuses_without_debug_or_demo(settings, monkeypatch):
    monkeypatch.delenv("ZHDJ_DEMO", raising=False)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="ZHDJ_DEMO=1"):
        call_command("seed_demo")
    from zhdj.web.management.commands.seed_demo import refusal

    monkeypatch.setenv("ZHDJ_DEMO", "1")
    assert refusal() is None
    monkeypatch.delenv("ZHDJ_DEMO")
    settings.DEBUG = True
    assert refusal() is None


# ------------------------------------------------------------------------------
# The real processes: manage.py and the ASGI application under the production settings.
# ------------------------------------------------------------------------------
def _production_env(**extra: str) -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
        "DJANGO_SETTINGS_MODULE": "zhdj.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": ".zhdj.example.gov.cn",
        "DATABASE_URL": (f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"),
        "REDIS_URL": settings.REDIS_URL,
        "ZHDJ_MASTER_KEY": secrets.token_hex(32),
        "ZHDJ_PAY_MERCHANT_KEY": f"{REAL_KEYS}/merchant.pem",
        "ZHDJ_PAY_ALIPAY_PUBLIC_KEY": f"{REAL_KEYS}/alipay.pem",
        "ZHDJ_PAY_WECHAT_PLATFORM_KEY": f"{REAL_KEYS}/wechat.pem",
        "ZHDJ_PAY_UNIONPAY_ROOT_CERT": f"{REAL_KEYS}/unionpay.crt",
        "ZHDJ_PAY_WECHAT_APIV3_KEY": secrets.token_hex(16),
        "ZHDJ_BACKUP_RECIPIENTS": OPERATOR_KEY,
    }
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    done = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    # A silenced check carries its reason in a comment beside it in the settings.
    base = (ROOT / "src" / "zhdj" / "settings" / "base.py").read_text()
    production = (ROOT / "src" / "zhdj" / "settings" / "production.py").read_text()
    comments = "\n".join(
        line for line in (base + production).splitlines() if line.strip().startswith("#")
    )
    for silenced in settings.SILENCED_SYSTEM_CHECKS:
        assert silenced in comments, f"{silenced} is silenced without a reason"


def test_check_refuses_the_payment_double_in_production():
    done = _run(["manage.py", "check"], _production_env(ZHDJ_PAYMENT_DOUBLE="1"))
    assert done.returncode != 0
    assert "zhdj.E002" in done.stderr and "zhdj.E003" in done.stderr


def test_the_asgi_application_refuses_to_start_on_test_keys():
    env = _production_env(DJANGO_SECRET_KEY="test-only-not-secret", ZHDJ_MASTER_KEY="11" * 32)
    done = _run(["-c", "import zhdj.asgi"], env)
    assert done.returncode != 0
    assert "拒绝以生产配置启动" in done.stderr
    assert "zhdj.E005" in done.stderr and "zhdj.E006" in done.stderr
    clean = _run(["-c", "import zhdj.asgi; print('started')"], _production_env())
    assert clean.returncode == 0, clean.stderr
    assert "started" in clean.stdout


def test_a_production_server_holds_no_archive_private_key_and_names_its_recipients(
    production, settings
):
    settings.ZHDJ_BACKUP_IDENTITY_FILE = "/srv/backup.key"
    settings.ZHDJ_BACKUP_RECIPIENTS = []
    found = {m.id: m for m in checks.production_checks()}
    assert found["zhdj.E009"].level == django_checks.ERROR
    assert found["zhdj.W010"].level == django_checks.WARNING
