"""Who can open an archive, and whether this platform can read what is inside.

Archives are encrypted with age (age-encryption.org/v1, X25519 recipients) through pyrage:
the server holds only the recipients (public keys, ``ZHDJ_BACKUP_RECIPIENTS``); the
identities that decrypt stay offline with the operators, so neither a copy of the backup
store nor the server alone opens an archive. The same files open with the ``age`` command.

An archive carries the county's key identity (``Tenant.key_id``), never a key: its personal
data is readable wherever the same master keys are configured, and only there. The key check
values (an HMAC under each master-key version's derived index key) let a restore refuse,
before touching anything, a platform whose master keys could not read the data.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable
from pathlib import Path

import pyrage
from django.conf import settings

from shared.customers.backup.errors import BackupError
from zhdj.pii.crypto import derive_key, master_keys

CHECK_MESSAGE = b"zhdj:backup:key-check"


def identity_file_ensure(path: Path) -> pyrage.x25519.Identity:
    """The development identity at ``path``, made (mode 0600) when missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        identity = pyrage.x25519.Identity.generate()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(f"# public key: {identity.to_public()}\n{identity}\n")
        return identity
    return identities_read([path])[0]


def backup_recipients(extra: Iterable[str] = ()) -> list[pyrage.x25519.Recipient]:
    """The recipients an archive is encrypted to: ``extra`` (a handover's receiver) and
    ``ZHDJ_BACKUP_RECIPIENTS``; in development, the local identity's."""
    listed = [r.strip() for r in [*extra, *settings.ZHDJ_BACKUP_RECIPIENTS] if r.strip()]
    recipients = []
    for text in listed:
        try:
            recipients.append(pyrage.x25519.Recipient.from_str(text))
        except pyrage.RecipientError:
            raise BackupError("接收方公钥格式不正确，请核对后重新粘贴。") from None
    if not recipients and settings.ZHDJ_BACKUP_IDENTITY_FILE:
        recipients.append(
            identity_file_ensure(Path(settings.ZHDJ_BACKUP_IDENTITY_FILE)).to_public()
        )
    if not recipients:
        raise BackupError("未配置备份接收方公钥（ZHDJ_BACKUP_RECIPIENTS），无法加密备份。")
    return recipients


def identities_read(paths: Iterable[Path]) -> list[pyrage.x25519.Identity]:
    """The identities in age identity files (``AGE-SECRET-KEY-1…`` lines)."""
    found = []
    for path in paths:
        try:
            lines = Path(path).read_text().splitlines()
        except OSError:
            raise BackupError(f"无法读取私钥文件 {path}") from None
        for raw in lines:
            line = raw.strip()
            if line.startswith("AGE-SECRET-KEY-"):
                try:
                    found.append(pyrage.x25519.Identity.from_str(line))
                except pyrage.IdentityError:
                    raise BackupError(f"私钥文件 {path} 中的私钥格式不正确") from None
    if not found:
        raise BackupError("私钥文件中没有可用的私钥")
    return found


def default_identities() -> list[pyrage.x25519.Identity]:
    """Development and tests: the local identity; production passes ``--identity``."""
    if settings.ZHDJ_BACKUP_IDENTITY_FILE and Path(settings.ZHDJ_BACKUP_IDENTITY_FILE).exists():
        return identities_read([Path(settings.ZHDJ_BACKUP_IDENTITY_FILE)])
    raise BackupError("请指定用于解密备份的私钥文件（--identity）")


HANDOVER_KEYS_README = """本文件只在移交导出中出现：本区县个人信息（身份证号、手机号、住址等）
的解密密钥。The keys of this county's personal data, for the party it is handed over to.

- Text columns hold tokens "v<version><cipher>:<base64url without padding of
  nonce(12) || ciphertext || tag(16)>"; cipher "a" is AES-256-GCM with
  versions[<version>]["enc"], "s" is SM4-GCM with ["enc-sm4"]; no associated data.
- Files start with "ZHDJF2", one byte key version, one byte cipher letter, then nonce,
  ciphertext and tag as above ("ZHDJF1": version 1, no version byte).
- "idx" keys are the HMAC-SHA256 keys of the blind indexes (*_index columns).
"""


def handover_keys(key_id: str) -> dict[str, object]:
    """The county's data keys under every configured master-key version, for a handover
    export only (it goes to the party that takes the county over, encrypted to them)."""
    versions = {}
    for version in sorted(master_keys().keys):
        versions[str(version)] = {
            "enc": derive_key("enc", schema=key_id, version=version).hex(),
            "enc-sm4": derive_key("enc-sm4", schema=key_id, length=16, version=version).hex(),
            "idx": derive_key("idx", schema=key_id, version=version).hex(),
        }
    return {"key_id": key_id, "versions": versions, "readme": HANDOVER_KEYS_README}


def key_checks(key_id: str) -> dict[str, str]:
    """For every configured master-key version: a check value of the county's keys."""
    checks = {}
    for version in sorted(master_keys().keys):
        key = derive_key("idx", schema=key_id, version=version)
        checks[str(version)] = hmac.new(key, CHECK_MESSAGE, hashlib.sha256).hexdigest()[:32]
    return checks


def key_checks_problem(key_id: str, recorded: dict[str, str], current: int) -> str | None:
    """Why this platform could not read an archive's personal data, else None: the
    version that was current at backup must be configured here, and every version known to
    both must derive the same keys."""
    here = key_checks(key_id)
    if str(current) not in here:
        return f"本平台未配置备份时使用的第 {current} 版主密钥，恢复后个人信息将无法解密。"
    for version, value in recorded.items():
        if version in here and not hmac.compare_digest(here[version], value):
            return f"本平台第 {version} 版主密钥与备份时不同，恢复后个人信息将无法解密。"
    return None
