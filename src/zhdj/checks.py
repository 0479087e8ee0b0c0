"""Start-up checks of the production settings (issue 17): the server refuses to start on
test keys, debug mode or demo data.

``production_checks`` is a Django system check (tag ``zhdj_production``, level Error),
so ``manage.py migrate`` / ``check`` / ``runserver`` refuse to go on; daphne runs no
system checks, so ``zhdj.asgi`` calls :func:`refuse_unsafe_start` before it serves a
request, and the Celery worker does the same when it starts (``zhdj.celery``).

The checks apply only under the production settings (``ZHDJ_PRODUCTION``, set by
``zhdj.settings.production``): local runs and tests use the test keys on purpose.

Refused, each with its own id:

- E001 ``DEBUG`` on (tracebacks to visitors; ``ZHDJ_PAYMENT_DOUBLE`` follows it);
- E002 ``ZHDJ_PAYMENT_DOUBLE`` on (the local gateway double trusts the repository's keys);
- E003 a payment key path inside the repository's ``test_keys`` folder, or a TEST ONLY
  value (the WeChat APIv3 key, the UnionPay certificate organization);
- E004 no master key (``ZHDJ_MASTER_KEYS`` / ``ZHDJ_MASTER_KEY``), or a malformed one;
- E005 among the master keys, one of the local or test settings, or one with too few
  distinct digits;
- E006 a ``SECRET_KEY`` shorter than 50 characters or naming itself test/demo/insecure;
- E007 the demo data marker in public (written by ``seed_demo``; :data:`DEMO_MARKER_TABLE`);
- E008 the SMS double (its TEST ONLY AccessKey).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from zhdj.pii.crypto import master_keys

TAG = "zhdj_production"
# seed_demo writes one row here (public schema) when it builds the demo city; its
# presence means the database holds demo accounts with a published password.
DEMO_MARKER_TABLE = "zhdj_demo_marker"
TEST_KEYS_DIR = Path(settings.BASE_DIR) / "shared" / "payments" / "double" / "test_keys"
# The master keys of zhdj.settings.local and zhdj.settings.test.
TEST_MASTER_KEYS = frozenset({"00" * 32, "11" * 32})
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_WORDS = (
    "test",
    "demo",
    "insecure",
    "not-secret",
    "changeme",
    "change-me",
    "change_me",
    "example",
)
# Setting keys of ZHDJ_PAY holding a file path.
PAY_KEY_PATHS = (
    "MERCHANT_PRIVATE_KEY",
    "ALIPAY_PUBLIC_KEY",
    "WECHAT_PLATFORM_PUBLIC_KEY",
    "UNIONPAY_ROOT_CERT",
)


def is_production() -> bool:
    return bool(getattr(settings, "ZHDJ_PRODUCTION", False))


def _inside(path: str, folder: Path) -> bool:
    try:
        resolved = Path(path).expanduser().resolve()
    except (OSError, RuntimeError):
        return False
    return resolved == folder.resolve() or folder.resolve() in resolved.parents


def _test_only(value: object) -> bool:
    text = re.sub(r"[\s_-]", "", str(value or "")).lower()
    return "testonly" in text


def _settings_errors() -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    if settings.DEBUG:
        errors.append(
            checks.Error(
                "生产环境不得开启调试模式（DJANGO_DEBUG）。",
                hint="删除 DJANGO_DEBUG 或设为 0。",
                id="zhdj.E001",
            )
        )
    if getattr(settings, "ZHDJ_PAYMENT_DOUBLE", False):
        errors.append(
            checks.Error(
                "生产环境不得启用测试支付网关（ZHDJ_PAYMENT_DOUBLE）：它信任代码库中的测试密钥。",
                hint="删除 ZHDJ_PAYMENT_DOUBLE 或设为 0，并配置真实的支付密钥。",
                id="zhdj.E002",
            )
        )
    pay: dict[str, Any] = getattr(settings, "ZHDJ_PAY", {}) or {}
    for key in PAY_KEY_PATHS:
        path = str(pay.get(key) or "")
        if path and (_inside(path, TEST_KEYS_DIR) or _test_only(Path(path).name)):
            errors.append(
                checks.Error(
                    f"支付密钥 {key} 指向测试密钥（{path}）。",
                    hint="把真实密钥放在代码库之外，并用对应的 ZHDJ_PAY_* 环境变量指定。",
                    id="zhdj.E003",
                )
            )
    # Secrets and trust decisions only: the app ids and the certificate serial are public
    # identifiers (a wrong one fails at the gateway, it trusts nothing).
    for key in ("WECHAT_APIV3_KEY", "UNIONPAY_CERT_ORG"):
        if _test_only(pay.get(key)):
            errors.append(
                checks.Error(
                    f"支付配置 {key} 是测试值。",
                    hint="用对应的 ZHDJ_PAY_* 环境变量设置真实值。",
                    id="zhdj.E003",
                )
            )
    # Every configured key (ZHDJ_MASTER_KEYS, and ZHDJ_MASTER_KEY as version 1) is checked:
    # a retired version still decrypts, so a test key among them is as bad as a current one.
    try:
        keys = list(master_keys().keys.values())
    except ImproperlyConfigured:
        keys = []
    if not keys:
        errors.append(
            checks.Error(
                "未设置个人信息加密主密钥（ZHDJ_MASTER_KEYS 或 ZHDJ_MASTER_KEY），"
                "或其不是 64 位十六进制字符。",
                hint="python -c 'import secrets; print(secrets.token_hex(32))'",
                id="zhdj.E004",
            )
        )
    elif any(k.hex() in TEST_MASTER_KEYS or len(set(k.hex())) < 8 for k in keys):
        errors.append(
            checks.Error(
                "个人信息加密主密钥（ZHDJ_MASTER_KEYS / ZHDJ_MASTER_KEY）中有本地或测试用的密钥。",
                hint="生成新的随机密钥（secrets.token_hex(32)）。",
                id="zhdj.E005",
            )
        )
    secret = str(getattr(settings, "SECRET_KEY", "") or "")
    words = [w for w in SECRET_KEY_WORDS if w in secret.lower()]
    if len(secret) < SECRET_KEY_MIN_LENGTH or words:
        errors.append(
            checks.Error(
                f"SECRET_KEY 不安全：须至少 {SECRET_KEY_MIN_LENGTH} 个字符，且不得含 test、demo、"
                "insecure 等字样。",
                hint="python -c 'import secrets; print(secrets.token_urlsafe(64))'",
                id="zhdj.E006",
            )
        )
    sms = (getattr(settings, "ZHDJ_MESSAGING", {}) or {}).get("SMS", {}) or {}
    sms_options = sms.get("OPTIONS", {}) or {}
    if any(_test_only(sms_options.get(k)) for k in ("access_key_id", "access_key_secret")):
        errors.append(
            checks.Error(
                "生产环境不得使用短信测试替身（ZHDJ_SMS_DOUBLE）。",
                hint="删除 ZHDJ_SMS_DOUBLE，并配置阿里云短信的 AccessKey。",
                id="zhdj.E008",
            )
        )
    return errors


def _backup_problems() -> list[checks.CheckMessage]:
    """County archives: the server holds no private key, and names its recipients."""
    problems: list[checks.CheckMessage] = []
    if getattr(settings, "ZHDJ_BACKUP_IDENTITY_FILE", ""):
        problems.append(
            checks.Error(
                "生产服务器不得保存区县备份的私钥（ZHDJ_BACKUP_IDENTITY_FILE）。",
                hint="删除该设置，把私钥交运维人员离线保管，服务器只配置公钥"
                "（ZHDJ_BACKUP_RECIPIENTS）。",
                id="zhdj.E009",
            )
        )
    if not getattr(settings, "ZHDJ_BACKUP_RECIPIENTS", []):
        problems.append(
            checks.Warning(
                "未配置区县备份的接收方公钥（ZHDJ_BACKUP_RECIPIENTS）：每晚备份和运维页面的备份"
                "都会失败。",
                hint="在运维人员的电脑上运行 manage.py backup_identity --out 私钥文件，"
                "再把公钥填入。",
                id="zhdj.W010",
            )
        )
    return problems


def demo_data_present(using: str = "default") -> bool:
    """Whether seed_demo ran on this database (its marker table exists in public)."""
    from django.db import connections

    with connections[using].cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"public.{DEMO_MARKER_TABLE}"])
        return bool(cursor.fetchone()[0])


def demo_marker_write(using: str = "default") -> None:
    """Mark the database as holding demo data (seed_demo)."""
    from django.db import connections

    with connections[using].cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS public.{DEMO_MARKER_TABLE} "
            "(seeded_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor.execute(f"INSERT INTO public.{DEMO_MARKER_TABLE} DEFAULT VALUES")


def _database_errors(databases: list[str] | None) -> list[checks.CheckMessage]:
    if not databases:
        return []
    from django.db import DatabaseError

    errors: list[checks.CheckMessage] = []
    for alias in databases:
        try:
            present = demo_data_present(alias)
        except DatabaseError as exc:
            errors.append(
                checks.Warning(
                    f"无法检查数据库中是否有演示数据：{exc.__class__.__name__}。",
                    id="zhdj.W007",
                )
            )
            continue
        if present:
            errors.append(
                checks.Error(
                    "数据库中有演示数据（seed_demo 建立的演示城市和公开密码的演示账号）。",
                    hint="生产环境须使用没有运行过 seed_demo 的数据库。",
                    id="zhdj.E007",
                )
            )
    return errors


@checks.register(TAG)
def production_checks(
    app_configs: object = None, databases: list[str] | None = None, **kwargs: object
) -> list[checks.CheckMessage]:
    if not is_production():
        return []
    return _settings_errors() + _backup_problems() + _database_errors(databases)


def refuse_unsafe_start(process: str = "服务") -> None:
    """Raise ``ImproperlyConfigured`` (the process does not start) on any Error above."""
    if not is_production():
        return
    messages = production_checks(databases=["default"])
    errors = [m for m in messages if m.level >= checks.ERROR]
    if errors:
        lines = "\n".join(f"- [{m.id}] {m.msg} {m.hint or ''}".rstrip() for m in errors)
        raise ImproperlyConfigured(f"{process}拒绝以生产配置启动：\n{lines}")
