"""Writing and opening a county archive.

An archive is an age-encrypted tar (``<schema>-<UTC time>.zhdj.age``) of

- ``manifest.json``: the county (name, region code, domains, key identity and key
  version), key check values, the migrations applied, and per table its row count and
  checksum (``digest``), every uploaded file with its size and SHA-256;
- ``schema.dump``: ``pg_dump --format=custom`` of the county's schema;
- ``files/…``: the county's uploaded files as stored (personal documents stay encrypted);
- ``keys.json``, in a handover export only: the county's personal-data keys, so that the
  party it is handed to (and only they: the file is encrypted to them too) can read it.

The dump and the checksums read one snapshot: a read-only REPEATABLE READ transaction
exports its snapshot, computes the checksums, and pg_dump runs with ``--snapshot`` while it
stays open — so the counts describe exactly the rows in the dump, however busy the county.
Beside each archive a ``.json`` summary (no personal data, not encrypted) lets the ops page
list archives without opening them.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pyrage
from django.conf import settings

from shared.customers.backup.digest import table_digests
from shared.customers.backup.errors import BackupError
from shared.customers.backup.keys import backup_recipients, handover_keys, key_checks
from shared.customers.backup.pg import conninfo, pg_env, pg_program
from shared.customers.models import Tenant
from zhdj.pii.crypto import current_key_version

FORMAT = "zhdj-county-archive"
VERSION = 1
SUFFIX = ".zhdj.age"
MANIFEST = "manifest.json"
DUMP = "schema.dump"
KEYS = "keys.json"  # handover exports only: the county's personal-data keys
FILES = "files"
CHUNK = 1 << 20


@dataclass(frozen=True)
class Archive:
    path: Path
    manifest: dict[str, Any]

    @property
    def rows(self) -> int:
        return sum(t["rows"] for t in self.manifest["tables"].values())


def archive_dir(schema: str) -> Path:
    return Path(settings.ZHDJ_BACKUP_DIR) / schema


def media_dir(schema: str) -> Path:
    return Path(settings.MEDIA_ROOT) / schema


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _files_listed(root: Path) -> dict[str, dict[str, Any]]:
    listed = {}
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                rel = path.relative_to(root).as_posix()
                listed[rel] = {"bytes": path.stat().st_size, "sha256": sha256_file(path)}
    return listed


def _snapshot_dump(schema: str, dump: Path) -> tuple[dict[str, Any], list[list[str]]]:
    """Checksums, applied migrations and the dump, all of one snapshot."""
    with psycopg.connect(conninfo(), autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        with conn.cursor() as cursor:
            digests = table_digests(cursor, schema)
            migrations = []
            if "django_migrations" in digests:
                cursor.execute(
                    f'SELECT app, name FROM "{schema}".django_migrations ORDER BY id'  # noqa: S608
                )
                migrations = [list(row) for row in cursor.fetchall()]
        result = subprocess.run(  # noqa: S603  (our argument list, no shell)
            [
                pg_program("pg_dump"),
                "--format=custom",
                f"--schema={schema}",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={dump}",
            ],
            env=pg_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        conn.rollback()
    if result.returncode != 0:
        raise BackupError(f"导出数据库失败：{result.stderr.strip()[-300:]}")
    return digests, migrations


def county_backup(
    tenant: Tenant,
    *,
    purpose: str = "backup",
    recipients: tuple[str, ...] = (),
    out_dir: Path | None = None,
) -> Archive:
    """Write ``tenant``'s archive under ``out_dir`` (default ``ZHDJ_BACKUP_DIR/<schema>``),
    encrypted to ``recipients`` (e.g. a handover's receiver) and the configured ones."""
    if tenant.status not in (Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED):
        raise BackupError(f"{tenant.name}当前状态为“{tenant.get_status_display()}”，不能备份。")
    schema = tenant.schema_name
    age_recipients = backup_recipients(recipients)
    when = datetime.now(UTC)
    target_dir = out_dir or archive_dir(schema)
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / f"{schema}-{when:%Y%m%dT%H%M%S%fZ}{SUFFIX}"
    with tempfile.TemporaryDirectory(prefix="zhdj-backup-") as work:
        work_dir = Path(work)
        dump = work_dir / DUMP
        digests, migrations = _snapshot_dump(schema, dump)
        files = _files_listed(media_dir(schema))
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "purpose": purpose,
            "created_at": when.isoformat(timespec="microseconds"),
            "tenant": {
                "schema_name": schema,
                "name": tenant.name,
                "region_code": tenant.region_code or "",
                "key_id": tenant.key_id,
                "key_version": tenant.key_version,
                "status": tenant.status,
                "domains": [
                    {"domain": d.domain, "is_primary": d.is_primary}
                    for d in tenant.domains.order_by("-is_primary", "domain")
                ],
            },
            "key_current": current_key_version(),
            "key_checks": key_checks(tenant.key_id),
            "migrations": migrations,
            "tables": digests,
            "dump_sha256": sha256_file(dump),
            "files": files,
        }
        (work_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        plain = work_dir / "archive.tar"
        with tarfile.open(plain, "w") as tar:
            tar.add(work_dir / MANIFEST, arcname=MANIFEST)
            tar.add(dump, arcname=DUMP)
            for rel in files:
                tar.add(media_dir(schema) / rel, arcname=f"{FILES}/{rel}")
            if purpose == "handover":
                keys = work_dir / KEYS
                keys.write_text(json.dumps(handover_keys(tenant.key_id), ensure_ascii=False))
                tar.add(keys, arcname=KEYS)
        partial = path.with_name(path.name + ".part")
        pyrage.encrypt_file(str(plain), str(partial), age_recipients)
        os.chmod(partial, 0o600)
        partial.replace(path)
    _summary_write(path, manifest, recipients=[str(r) for r in age_recipients])
    return Archive(path=path, manifest=manifest)


def _summary_write(path: Path, manifest: dict[str, Any], *, recipients: list[str]) -> None:
    summary = {
        "recipients": recipients,
        "created_at": manifest["created_at"],
        "purpose": manifest["purpose"],
        "schema_name": manifest["tenant"]["schema_name"],
        "tables": len(manifest["tables"]),
        "rows": sum(t["rows"] for t in manifest["tables"].values()),
        "files": len(manifest["files"]),
        "bytes": path.stat().st_size,
        "sha256": sha256_file(path),
    }
    path.with_name(path.name + ".json").write_text(json.dumps(summary, ensure_ascii=False))


def archives_list(schema: str) -> list[dict[str, Any]]:
    """The summaries of ``schema``'s archives, newest first (with ``path``)."""
    found = []
    for summary in archive_dir(schema).glob(f"*{SUFFIX}.json"):
        archive = summary.with_name(summary.name.removesuffix(".json"))
        if not archive.exists():
            continue
        try:
            data = json.loads(summary.read_text())
        except (OSError, ValueError):
            continue
        found.append({**data, "path": archive})
    return sorted(found, key=lambda item: item["created_at"], reverse=True)


def latest_archive_at(tenant: Tenant) -> datetime | None:
    """When ``tenant``'s newest archive was made (None without one)."""
    listed = archives_list(tenant.schema_name)
    return datetime.fromisoformat(listed[0]["created_at"]) if listed else None


def archive_open(path: Path, identities: list[pyrage.x25519.Identity], work_dir: Path) -> dict:
    """Decrypt and unpack ``path`` into ``work_dir``; the manifest, with the dump and every
    file checked against it."""
    plain = work_dir / "archive.tar"
    try:
        pyrage.decrypt_file(str(path), str(plain), identities)
    except FileNotFoundError:
        raise BackupError(f"找不到备份文件 {path}") from None
    except (pyrage.DecryptError, OSError):  # a wrong identity, or a damaged file
        raise BackupError("无法解密备份文件：私钥不匹配，或文件已损坏。") from None
    unpacked = work_dir / "unpacked"
    try:
        with tarfile.open(plain) as tar:
            tar.extractall(unpacked, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"备份文件内容损坏：{exc}") from None
    plain.unlink()
    try:
        manifest = json.loads((unpacked / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError("备份文件缺少清单（manifest.json）。") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError("不是本平台的区县备份文件，或版本不受支持。")
    if sha256_file(unpacked / DUMP) != manifest["dump_sha256"]:
        raise BackupError("备份中的数据库导出与清单不符（校验和不同）。")
    for rel, info in manifest["files"].items():
        stored = unpacked / FILES / rel
        if not stored.is_file() or sha256_file(stored) != info["sha256"]:
            raise BackupError(f"备份中的文件 {rel} 与清单不符。")
    return manifest


def unpacked_dir(work_dir: Path) -> Path:
    return work_dir / "unpacked"
