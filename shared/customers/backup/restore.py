"""Putting a county archive back: into the same county, or as a new county.

Everything in PostgreSQL happens in ONE transaction run by psql: (same county) the current
schema is renamed aside, the dump is replayed — under another schema name when asked, the
name rewritten in the statements and never in the data — and then every table's row count
and checksum is compared with the manifest (``digest.check_sql``). Any difference raises,
and the transaction rolls back whole: the county is as it was. Only then are the files put
in place (the old ones moved aside), the tenant's public rows written, its key identity set
to the archive's (so its personal data reads under any schema name), pending migrations
applied, routes and key caches dropped and its rollup queued.

The schema and files moved aside (``<schema>_r<time>``) are kept for the operator to compare
and drop (docs/operations.md); nothing is deleted here.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context, schema_exists

from shared.customers.backup.archive import FILES, archive_open, media_dir, unpacked_dir
from shared.customers.backup.digest import check_sql
from shared.customers.backup.errors import BackupError
from shared.customers.backup.keys import key_checks_problem
from shared.customers.backup.pg import pg_env, pg_program
from shared.customers.models import Domain, Tenant
from shared.customers.routing import invalidate_routes
from zhdj.pii.crypto import forget_tenant_keys

Progress = Callable[[str], None]
RESTORED = "从备份恢复，核对无误后恢复服务"
COPY_START = re.compile(r"^COPY .* FROM stdin;$")


@dataclass(frozen=True)
class NewCounty:
    """A county to create from an archive (a schema name nobody uses)."""

    schema_name: str
    name: str
    domain: str
    region_code: str = ""


@dataclass
class RestoreResult:
    tenant: Tenant
    tables: int
    rows: int
    files: int
    archive_created_at: str
    aside_schema: str = ""
    migrated: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def archive_made(self) -> str:
        """When the archive was made, in the site's time zone."""
        made = timezone.localtime(datetime.fromisoformat(self.archive_created_at))
        return f"{made:%Y-%m-%d %H:%M:%S}"


def _quiet(_: str) -> None:
    return None


def county_restore(
    path: Path,
    *,
    identities: list,
    into: Tenant | None = None,
    new: NewCounty | None = None,
    progress: Progress = _quiet,
) -> RestoreResult:
    """Restore the archive at ``path`` into the existing county ``into`` (it must be
    suspended) or as the ``new`` county. Raises BackupError with the reason, having changed
    nothing, when anything is wrong."""
    if (into is None) == (new is None):
        raise BackupError("请指定恢复到哪个区县：原区县，或新的区县。")
    connection.set_schema_to_public()
    with tempfile.TemporaryDirectory(prefix="zhdj-restore-") as work:
        work_dir = Path(work)
        progress("解密并校验备份文件")
        manifest = archive_open(path, identities, work_dir)
        _refuse_unreadable(manifest)
        _refuse_newer(manifest)
        source = manifest["tenant"]["schema_name"]
        if into is not None:
            _refuse_into(into, manifest)
            schema = into.schema_name
        else:
            assert new is not None
            _refuse_new(new)
            schema = new.schema_name
        stamp = datetime.now(UTC).strftime("%y%m%d%H%M%S")
        aside = f"{schema}_r{stamp}" if schema_exists(schema) else ""
        progress("恢复数据库并逐表核对")
        _replay(work_dir, source=source, target=schema, aside=aside, manifest=manifest)
        progress("恢复上传文件")
        files_aside = _put_files(work_dir, schema, stamp)
        tenant = _public_rows(manifest, into=into, new=new)
    progress("补齐数据库迁移")
    migrated = _migrate(schema)
    from shared.rollups.dirty import rollup_schedule

    rollup_schedule(schema=schema)
    notes = [f"{tenant.name}现为暂停状态：核对无误后，在区县管理中恢复服务。"]
    if aside:
        notes.append(f"原数据库模式已改名为 {aside} 保留，核对无误后可删除。")
    if files_aside:
        notes.append(f"原上传文件已移至 {files_aside} 保留。")
    return RestoreResult(
        tenant=tenant,
        tables=len(manifest["tables"]),
        rows=sum(t["rows"] for t in manifest["tables"].values()),
        files=len(manifest["files"]),
        archive_created_at=manifest["created_at"],
        aside_schema=aside,
        migrated=migrated,
        notes=notes,
    )


def _refuse_unreadable(manifest: dict[str, Any]) -> None:
    tenant = manifest["tenant"]
    problem = key_checks_problem(tenant["key_id"], manifest["key_checks"], manifest["key_current"])
    if problem:
        raise BackupError(problem)


def _refuse_newer(manifest: dict[str, Any]) -> None:
    """An archive from a newer release (migrations this code does not know) is refused."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(connection, ignore_no_migrations=True).graph.nodes)
    unknown = [f"{app}.{name}" for app, name in manifest["migrations"] if (app, name) not in known]
    if unknown:
        raise BackupError(
            f"备份来自更新版本的平台（本平台没有迁移 {', '.join(unknown[:3])}），请先升级平台。"
        )


def _refuse_into(tenant: Tenant, manifest: dict[str, Any]) -> None:
    if tenant.status == Tenant.Status.TEMPLATE:
        raise BackupError("不能恢复到区县模板。")
    if tenant.status not in (Tenant.Status.SUSPENDED, Tenant.Status.OFFBOARDED):
        raise BackupError(f"请先暂停{tenant.name}，再恢复其备份（恢复期间不能有人使用）。")
    if tenant.status == Tenant.Status.OFFBOARDED and manifest["tenant"]["key_id"] != tenant.key_id:
        raise BackupError(f"这不是“{tenant.name}”的备份，不能用来恢复已注销的该区县。")


def _refuse_new(new: NewCounty) -> None:
    from shared.customers.validation import _domain_error, _name_error, _region_error, _schema_error

    others = Tenant.objects.all()
    checks = {
        "name": _name_error(new.name.strip(), others),
        "schema_name": _schema_error(
            new.schema_name, Tenant.objects.filter(schema_name=new.schema_name).first(), False
        ),
        "region_code": _region_error(new.region_code, others, new.name.strip())
        if new.region_code
        else None,
        "domain": _domain_error(new.domain.strip().lower(), None),
    }
    errors = {key: [message] for key, message in checks.items() if message}
    if errors:
        raise BackupError(next(iter(errors.values()))[0], extra={"errors": errors})


def renamed(lines: Iterator[str], source: str, target: str) -> Iterator[str]:
    """pg_restore's SQL with the schema ``source`` renamed ``target`` in the statements
    (function bodies included) and never inside COPY data. Schema names are plain
    identifiers (validated: lower-case letters, digits, underscores), so pg_dump writes them
    unquoted."""
    if source == target:
        yield from lines
        return
    qualified = re.compile(rf"(?<![\w\"$.]){re.escape(source)}\.")
    named = re.compile(rf"\bSCHEMA {re.escape(source)}\b")
    in_copy = False
    for line in lines:
        if in_copy:
            if line == "\\.\n":
                in_copy = False
            yield line
            continue
        statement = named.sub(f"SCHEMA {target}", qualified.sub(f"{target}.", line))
        if COPY_START.match(statement.rstrip("\n")):
            in_copy = True
        yield statement


def _replay(
    work_dir: Path, *, source: str, target: str, aside: str, manifest: dict[str, Any]
) -> None:
    dump = unpacked_dir(work_dir) / "schema.dump"
    errors = work_dir / "psql.err"
    env = pg_env()
    with errors.open("w") as err:
        restore = subprocess.Popen(  # noqa: S603  (our argument list, no shell)
            [pg_program("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(dump)],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=env,
        )
        psql = subprocess.Popen(  # noqa: S603
            [pg_program("psql"), "-X", "-q", "--single-transaction", "-v", "ON_ERROR_STOP=1"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
            env=env,
        )
        assert restore.stdout is not None and psql.stdin is not None
        try:
            if aside:
                psql.stdin.write(f'ALTER SCHEMA "{target}" RENAME TO "{aside}";\n')
            for line in renamed(iter(restore.stdout.readline, ""), source, target):
                psql.stdin.write(line)
            psql.stdin.write(check_sql(target, manifest["tables"]))
            psql.stdin.close()
        except BrokenPipeError:
            pass  # psql stopped at the first error; its message is in psql.err
        finally:
            restore.stdout.close()
            if not psql.stdin.closed:
                with contextlib.suppress(BrokenPipeError):
                    psql.stdin.close()
        restore.wait()
        psql.wait()
    if restore.returncode != 0 or psql.returncode != 0:
        message = errors.read_text(errors="replace")
        mismatch = re.search(r"zhdj-restore-mismatch: (.*)", message)
        if mismatch:
            raise BackupError(f"恢复后核对不一致，已全部撤销：{mismatch.group(1).strip()}")
        raise BackupError(f"恢复数据库失败，已全部撤销：{message.strip()[-300:]}")


def _put_files(work_dir: Path, schema: str, stamp: str) -> str:
    stored = unpacked_dir(work_dir) / FILES
    target = media_dir(schema)
    aside = ""
    if target.exists():
        aside_path = target.with_name(f"{schema}_r{stamp}")
        target.rename(aside_path)
        aside = str(aside_path)
    if stored.is_dir():
        shutil.copytree(stored, target)
    return aside


def _public_rows(manifest: dict[str, Any], *, into: Tenant | None, new: NewCounty | None) -> Tenant:
    from shared.cityorg.services import cityorg_link_county

    facts = manifest["tenant"]
    with transaction.atomic():
        if into is not None:
            tenant = Tenant.objects.select_for_update().get(pk=into.pk)
            tenant.key_id = facts["key_id"]
            tenant.key_version = facts["key_version"]
            fields = ["key_id", "key_version"]
            if tenant.status == Tenant.Status.OFFBOARDED:
                # An offboarding undone: back, suspended, with the domains it had if free.
                tenant.status = Tenant.Status.SUSPENDED
                tenant.suspended_reason = RESTORED
                fields += ["status", "suspended_reason"]
                for item in facts["domains"]:
                    if not Domain.objects.filter(domain=item["domain"]).exists():
                        Domain.objects.create(
                            domain=item["domain"], tenant=tenant, is_primary=item["is_primary"]
                        )
            tenant.save(update_fields=fields)
        else:
            assert new is not None
            tenant = Tenant(
                schema_name=new.schema_name,
                name=new.name.strip(),
                region_code=new.region_code or None,
                # Not in service (nor on the city dashboard) until ops has checked it.
                status=Tenant.Status.SUSPENDED,
                suspended_reason=RESTORED,
                activated_at=timezone.now(),
            )
            tenant.key_id = facts["key_id"]
            tenant.key_version = facts["key_version"]
            tenant.save()
            Domain.objects.create(domain=new.domain.strip().lower(), tenant=tenant, is_primary=True)
            city_node = cityorg_link_county(tenant=tenant)
            with schema_context(tenant.schema_name):
                import_string(settings.ZHDJ_TENANT_RELINK)(city_org_id=city_node.pk)
        invalidate_routes()
    forget_tenant_keys(tenant.schema_name)
    return tenant


def _migrate(schema: str) -> int:
    from zhdj.tenancy.executor import migrate_schemas_in_process, schemas_behind

    if not schemas_behind([schema], "default"):
        return 0
    return migrate_schemas_in_process([schema], "default", reconnect=False)
