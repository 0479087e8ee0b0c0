"""Celery tasks of the Excel import (run in the county's schema, idempotent)."""

from __future__ import annotations

from tenants.imports.jobs import import_job_commit, import_job_validate, import_jobs_purge_stale
from zhdj.tasks import tenant_task


@tenant_task(name="tenants.imports.tasks.validate_import")
def validate_import(job_id: str) -> str:
    """Check an uploaded workbook and store its preview (writes no members)."""
    return import_job_validate(job_id)


@tenant_task(name="tenants.imports.tasks.commit_import")
def commit_import(job_id: str) -> str:
    """Write a confirmed import, all rows in one transaction or none."""
    return import_job_commit(job_id)


@tenant_task(name="tenants.imports.tasks.purge_stale_imports")
def purge_stale_imports() -> int:
    """Cancel imports left unconfirmed for a day and delete their files (nightly fan-out)."""
    return import_jobs_purge_stale()
