"""Onboarding and offboarding jobs: the ops page queues one, a Celery worker runs it, the
page polls."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shared.accounts.models import User
from shared.customers.lifecycle import offboard_check, offboarding_running
from shared.customers.models import OnboardingJob, Tenant
from shared.customers.services import OnboardingRequest, onboarding_validate
from shared.customers.trail import Action, Actor, lifecycle_record
from zhdj.errors import ApplicationError


def onboarding_job_queue(*, req: OnboardingRequest, created_by: User | None) -> OnboardingJob:
    """Validate now (clear errors on the form), then queue the work with only a hash."""
    from django.contrib.auth.hashers import make_password

    from shared.customers.tasks import run_onboarding_job

    # No re-run from the page: an opened county, a used code or domain is refused here, on
    # the form (the command line keeps its idempotent re-run).
    errors = onboarding_validate(req, allow_rerun=False)
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], extra={"errors": errors})
    with transaction.atomic():
        job = OnboardingJob.objects.create(
            params=req.public_params(),
            schema_name=req.schema_name,
            created_by=created_by,
            step="等待执行",
        )
        job_id = str(job.pk)
        password_hash = make_password(req.admin_password)
        transaction.on_commit(lambda: run_onboarding_job.delay(job_id, password_hash))
    return job


def onboarding_job_progress(job_id: str, percent: int, step: str) -> None:
    OnboardingJob.objects.filter(pk=job_id).update(
        state=OnboardingJob.State.RUNNING, progress=percent, step=step
    )


def onboarding_job_finish(job_id: str, *, ok: bool, message: str) -> None:
    OnboardingJob.objects.filter(pk=job_id).update(
        state=OnboardingJob.State.SUCCEEDED if ok else OnboardingJob.State.FAILED,
        progress=100 if ok else OnboardingJob.objects.get(pk=job_id).progress,
        step="完成" if ok else "失败",
        message=message,
        finished_at=timezone.now(),
    )


def offboarding_job_queue(
    *,
    tenant: Tenant,
    confirm_name: str,
    backup_confirmed: bool,
    actor: Actor,
    created_by: User | None,
) -> OnboardingJob:
    """Check now (errors on the form, nothing queued), then queue the drop for a worker:
    a large county's schema and files take a while. The trail notes the request at once,
    the worker the offboarding itself."""
    from shared.customers.tasks import run_offboarding_job

    offboard_check(tenant, confirm_name=confirm_name, backup_confirmed=backup_confirmed)
    if offboarding_running(tenant):
        raise ApplicationError(f"“{tenant.name}”的注销任务已在进行中。")
    with transaction.atomic():
        job = OnboardingJob.objects.create(
            kind=OnboardingJob.Kind.OFFBOARD,
            params={
                "name": tenant.name,
                "schema_name": tenant.schema_name,
                "tenant_id": tenant.pk,
                "confirm_name": confirm_name.strip(),
                "backup_confirmed": bool(backup_confirmed),
                "actor": actor.as_params(),
            },
            schema_name=tenant.schema_name,
            created_by=created_by,
            step="等待执行",
        )
        lifecycle_record(
            Action.OFFBOARD_QUEUED,
            tenant=tenant,
            actor=actor,
            detail="已提交注销任务" + ("；操作人确认已另行备份" if backup_confirmed else ""),
        )
        job_id = str(job.pk)
        transaction.on_commit(lambda: run_offboarding_job.delay(job_id))
    return job
