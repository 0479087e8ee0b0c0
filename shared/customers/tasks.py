"""Celery tasks of the tenant registry (run in public)."""

from __future__ import annotations

import logging

from shared.customers.jobs import onboarding_job_finish, onboarding_job_progress
from shared.customers.lifecycle import tenant_offboard
from shared.customers.models import OnboardingJob, Tenant
from shared.customers.services import OnboardingRequest, tenant_onboard
from shared.customers.trail import Actor, Source
from zhdj.celery import app
from zhdj.errors import ApplicationError

logger = logging.getLogger(__name__)


def _job_actor(job: OnboardingJob) -> Actor:
    """Who queued a job on the ops page (the page's address is not kept with the job)."""
    user = job.created_by
    if user is None:
        return Actor(username="（未知）", source=Source.PAGE)
    return Actor(username=user.get_username(), source=Source.PAGE, user_id=user.pk)


@app.task(name="shared.customers.tasks.run_onboarding_job", acks_late=False)
def run_onboarding_job(job_id: str, password_hash: str) -> str:
    """Run one onboarding job, reporting progress into its row.

    Not acks_late: a job that dies mid-way must not be re-run blindly by the broker;
    the ops team re-runs it (tenant_onboard cleans up the half-made tenant first).
    """
    job = OnboardingJob.objects.get(pk=job_id)
    req = OnboardingRequest(admin_password_hash=password_hash, **job.params)
    try:
        # As on the page that queued it: a second job for the same county fails, it does
        # not "succeed" as a re-run.
        result = tenant_onboard(
            req,
            progress=lambda pct, step: onboarding_job_progress(job_id, pct, step),
            allow_rerun=False,
            actor=_job_actor(job),
        )
    except ApplicationError as exc:
        onboarding_job_finish(job_id, ok=False, message=exc.message)
        return "failed"
    except Exception:
        logger.exception("onboarding job %s failed", job_id)
        onboarding_job_finish(
            # The cause goes to the log (above); the page speaks Chinese.
            job_id,
            ok=False,
            message="开通失败，已回滚，未留下任何数据。原因已记入服务器日志。",
        )
        return "failed"
    if result.created:
        message = (
            f"“{result.tenant.name}”已开通（{result.method_label}，用时 {result.seconds:.1f} 秒）。"
        )
    else:
        message = f"“{result.tenant.name}”此前已开通，未做改动。"
    onboarding_job_finish(job_id, ok=True, message=message)
    return "succeeded"


@app.task(name="shared.customers.tasks.run_offboarding_job", acks_late=False)
def run_offboarding_job(job_id: str) -> str:
    """Run one offboarding job (注销区县). Not acks_late either: the drop is checked again
    under the tenant's lock, so a re-run by hand after a crash finds the county as it is."""
    job = OnboardingJob.objects.get(pk=job_id)
    params = job.params
    tenant = Tenant.objects.filter(pk=params["tenant_id"]).first()
    if tenant is None:
        onboarding_job_finish(job_id, ok=False, message="该区县不存在。")
        return "failed"
    try:
        tenant_offboard(
            tenant=tenant,
            confirm_name=params["confirm_name"],
            backup_confirmed=params["backup_confirmed"],
            actor=Actor(**params["actor"]),
            progress=lambda pct, step: onboarding_job_progress(job_id, pct, step),
        )
    except ApplicationError as exc:
        onboarding_job_finish(job_id, ok=False, message=exc.message)
        return "failed"
    except Exception:
        logger.exception("offboarding job %s failed", job_id)
        onboarding_job_finish(
            job_id, ok=False, message="注销失败，已回滚，区县未改动。原因已记入服务器日志。"
        )
        return "failed"
    onboarding_job_finish(
        job_id,
        ok=True,
        message=f"“{tenant.name}”已注销：数据库模式、域名和上传文件已删除。",
    )
    return "succeeded"
