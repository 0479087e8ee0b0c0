"""Celery tasks of the Excel import (run in the county's schema, idempotent).

Each counts its delivery in the job row first (acks late: a worker killed by memory or the
hard time limit gets its task redelivered; past ZHDJ_TASK_MAX_DELIVERIES the job fails with a
Chinese reason instead of looping), and runs under time limits shorter than the platform's.
"""

from __future__ import annotations

from celery.exceptions import SoftTimeLimitExceeded

from tenants.imports.jobs import (
    import_job_commit,
    import_job_delivered,
    import_job_timed_out,
    import_job_validate,
    import_jobs_purge_stale,
)
from zhdj.tasks import tenant_task

# Seconds: the check of 100,000 rows takes about a minute, their write a few.
SOFT_TIME_LIMIT = 15 * 60
TIME_LIMIT = SOFT_TIME_LIMIT + 60


@tenant_task(
    name="tenants.imports.tasks.validate_import",
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def validate_import(job_id: str) -> str:
    """Check an uploaded workbook and store its preview (writes no members)."""
    if not import_job_delivered(job_id):
        return "failed"
    try:
        return import_job_validate(job_id)
    except SoftTimeLimitExceeded:
        import_job_timed_out(job_id)
        return "failed"


@tenant_task(
    name="tenants.imports.tasks.commit_import",
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def commit_import(job_id: str) -> str:
    """Write a confirmed import, all rows in one transaction or none."""
    if not import_job_delivered(job_id):
        return "failed"
    try:
        return import_job_commit(job_id)
    except SoftTimeLimitExceeded:
        import_job_timed_out(job_id)
        return "failed"


@tenant_task(name="tenants.imports.tasks.purge_stale_imports")
def purge_stale_imports() -> int:
    """Cancel imports left unconfirmed for a day and delete their files (nightly fan-out)."""
    return import_jobs_purge_stale()
