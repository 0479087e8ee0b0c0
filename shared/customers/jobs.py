"""Onboarding jobs: the ops page queues one, a Celery worker runs it, the page polls."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shared.accounts.models import User
from shared.customers.models import OnboardingJob
from shared.customers.services import OnboardingRequest, onboarding_validate
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
