"""The nightly archives: one task per county (the beat's ``county-archives``), then the
archives older than ``ZHDJ_BACKUP_KEEP_DAYS`` removed — never a county's newest, never a
handover export."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings

from shared.customers.backup.archive import archives_list, county_backup
from shared.customers.backup.errors import BackupError
from shared.customers.models import Tenant
from shared.customers.trail import Action, Actor, Source, lifecycle_record
from zhdj.celery import app

logger = logging.getLogger(__name__)


@app.task(name="shared.customers.backup.tasks.archive_counties")
def archive_counties() -> int:
    """Queue one archive per active or suspended county; how many were queued."""
    schemas = list(
        Tenant.objects.filter(status__in=(Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED))
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )
    for schema in schemas:
        archive_county.delay(schema)
    return len(schemas)


@app.task(name="shared.customers.backup.tasks.archive_county")
def archive_county(
    schema: str,
    *,
    purpose: str = "backup",
    recipients: list[str] | None = None,
    actor: dict | None = None,
) -> str:
    """One archive of ``schema`` (``actor``: who asked on the ops page; the nightly run
    otherwise), recorded in the lifecycle trail, then the old nightly ones pruned."""
    tenant = Tenant.objects.get(schema_name=schema)
    who = Actor(**actor) if actor else Actor(username="每晚自动备份", source=Source.COMMAND)
    action = Action.HANDOVER if purpose == "handover" else Action.BACKUP
    try:
        archive = county_backup(tenant, purpose=purpose, recipients=tuple(recipients or ()))
    except BackupError as exc:
        lifecycle_record(action, tenant=tenant, actor=who, detail=exc.message, ok=False)
        raise
    detail = f"{archive.path.name}：{len(archive.manifest['tables'])} 张表，{archive.rows} 行"
    if recipients:
        detail += f"；移交给（接收方公钥）{'、'.join(recipients)}"
    lifecycle_record(action, tenant=tenant, actor=who, detail=detail)
    archives_prune(schema)
    return str(archive.path)


def archives_prune(schema: str, *, now: datetime | None = None) -> list[Path]:
    """Delete ``schema``'s nightly archives older than the retention; the removed paths."""
    keep = timedelta(days=settings.ZHDJ_BACKUP_KEEP_DAYS)
    cutoff = (now or datetime.now(UTC)) - keep
    removed = []
    nightly = [item for item in archives_list(schema) if item.get("purpose") == "backup"]
    for item in nightly[1:]:  # the newest always stays
        if datetime.fromisoformat(item["created_at"]) >= cutoff:
            continue
        path = Path(item["path"])
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".json").unlink(missing_ok=True)
        removed.append(path)
    if removed:
        logger.info("removed %d archives of %s older than %s", len(removed), schema, keep)
    return removed
