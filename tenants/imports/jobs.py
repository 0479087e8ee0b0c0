"""The life of an import job (导入任务): upload → check and preview → confirm → write.

Each step is idempotent (Celery redelivers with acks_late): a step starts only from the
state it expects, and the write and the job's ``succeeded`` state commit in one
transaction, so a redelivered commit finds the job done and writes nothing twice.
The workbook is deleted as soon as it is checked; the checked rows wait encrypted
(``snapshot``) until the user confirms or cancels, or a day passes. Progress goes to the
cache (keys carry the schema), because during the write the job row is locked inside a
transaction that nobody else can see into.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from io import BytesIO
from typing import Any

import pghistory
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shared.accounts.models import User
from tenants.access.permissions import Perm
from tenants.access.scope import Scope, scope_for
from tenants.imports.commit import CommitConflict, recheck, write_plan
from tenants.imports.models import ImportJob
from tenants.imports.preview import preview_of
from tenants.imports.snapshot import snapshot_drop, snapshot_load, snapshot_save
from tenants.imports.validate import Plan, RowError, plan_import
from zhdj.errors import AccessDenied, ApplicationError
from zhdj.failsafe import cache_delete, cache_get, cache_set
from zhdj.pii.crypto import DecryptionError, decrypt_bytes, encrypt_bytes

logger = logging.getLogger(__name__)

State = ImportJob.State
MAX_STORED_ERRORS = 10_000
PROGRESS_TTL = 3600
STALE_AFTER = timedelta(hours=24)
# Every uploaded file is checked in the worker, never in the web request (a crafted
# workbook costs a worker, with its time and memory limits, not a web process): 0 bytes
# inline. Imports up to this many (already checked) rows are written in the request; larger
# ones go to the worker (with a progress bar).
INLINE_MAX_BYTES = 0
INLINE_MAX_ROWS = 2000
CRASHED = "处理时出错，未导入任何数据。请稍后重新上传，或联系管理员。"
REDELIVERED = (
    "该文件多次导致后台任务中断（可能过大或结构异常），已停止处理，未导入任何数据。"
    "请检查文件后重新上传，或联系管理员。"
)
NO_LONGER_MANAGES = "您已没有管理党组织的职务，不能导入党员信息。"


def inline_max_bytes() -> int:
    return int(getattr(settings, "ZHDJ_IMPORT_INLINE_MAX_BYTES", INLINE_MAX_BYTES))


def inline_max_rows() -> int:
    return int(getattr(settings, "ZHDJ_IMPORT_INLINE_MAX_ROWS", INLINE_MAX_ROWS))


def _progress_key(job_id: Any) -> str:
    return f"imports:job:{job_id}:progress"


def job_progress(job: ImportJob) -> tuple[int, str]:
    """Percent and step to show: live from the cache while the job runs."""
    if job.is_running:
        live = cache_get(_progress_key(job.pk))
        if live:
            return int(live[0]), str(live[1])
    return job.progress, job.step


def _report(job_id: Any, percent: float, step: str) -> None:
    cache_set(_progress_key(job_id), (int(percent), step), PROGRESS_TTL)


def _scaled(job_id: Any, low: int, high: int, verb: str):  # type: ignore[no-untyped-def]
    def report(done: int, expected: int | None) -> None:
        if expected:
            share = min(done / expected, 1.0)
            _report(job_id, low + (high - low) * share, f"{verb} {done:,} / {expected:,} 行")
        else:
            _report(job_id, low, f"{verb} {done:,} 行")

    return report


def _discard_upload(job_id: Any) -> None:
    """Delete the uploaded workbook (no residual personal data) and forget it."""
    job = ImportJob.objects.filter(pk=job_id).only("file").first()
    if job is not None and job.file:
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job_id).update(file="")


def _discard(job_id: Any) -> None:
    _discard_upload(job_id)
    snapshot_drop(job_id)


def _finish(job_id: Any, state: str, *, from_state: str, **fields: Any) -> bool:
    fields.setdefault("progress", 100)
    fields.setdefault("finished_at", timezone.now())
    done = ImportJob.objects.filter(pk=job_id, state=from_state).update(state=state, **fields)
    cache_delete(_progress_key(job_id))
    return bool(done)


def _error_fields(errors: list[RowError]) -> dict[str, Any]:
    return {"errors": [list(e) for e in errors[:MAX_STORED_ERRORS]], "error_count": len(errors)}


def _job_scope(job: ImportJob) -> Scope:
    """The scope of the user who queued the job, as it is now (job code may compute it:
    a worker has no request; a post ended meanwhile is no longer covered)."""
    return scope_for(job.created_by)


def _require_own(scope: Scope, job: ImportJob) -> None:
    """A job is its creator's (the platform, ``Scope.system()``, may act on any)."""
    if scope.user_id is not None and job.created_by_id != scope.user_id:
        raise AccessDenied("导入任务不存在。")


def _read_upload(job: ImportJob) -> Plan:
    scope = _job_scope(job)
    if not scope.has(Perm.MEMBERS_EDIT):
        return Plan(errors=[(0, "", NO_LONGER_MANAGES)])
    if not job.file:
        return Plan(errors=[(0, "", "上传的文件已不存在，请重新上传。")])
    with job.file.open("rb") as fileobj:
        sealed = fileobj.read()
    try:
        workbook = decrypt_bytes(sealed, aad=_file_aad(job.pk))
    except DecryptionError:
        return Plan(errors=[(0, "", "上传的文件已损坏，请重新上传。")])
    return plan_import(BytesIO(workbook), scope=scope, progress=_scaled(job.pk, 0, 95, "已校验"))


def _file_aad(job_id: Any) -> bytes:
    # The job's id binds the stored file to its job: a file moved to another job fails.
    return f"import-job:{job_id}".encode()


QUEUE_DOWN = "缓存与消息队列暂时不可用，文件未能交给后台处理，未导入任何数据。请稍后重新上传。"


def _enqueue(task: Any, job_id: str, state: str) -> None:
    """Hand the job to the worker after commit. Redis (the broker) unreachable: the job
    fails at once with a Chinese reason on its page, instead of waiting for ever."""
    try:
        task.delay(job_id)
    except Exception:
        logger.warning("import job %s: the queue is unavailable", job_id, exc_info=True)
        if state == State.QUEUED:
            _finish(job_id, State.FAILED, from_state=state, step="导入失败", message=QUEUE_DOWN)
            _discard(job_id)
        else:  # confirmed: back to 待确认, the checked rows kept; the user confirms again
            ImportJob.objects.filter(pk=job_id, state=state).update(
                state=State.VALIDATED,
                step="校验通过，等待确认",
                message="缓存与消息队列暂时不可用，未开始导入。请稍后再点击确认导入。",
            )


# -- steps -------------------------------------------------------------------------------


def import_job_start(*, scope: Scope, user: User, upload: UploadedFile) -> ImportJob:
    """Store the upload and check it: now if it is small, else on the worker."""
    scope.require(Perm.MEMBERS_EDIT, message="您没有导入党员信息的权限。")
    from tenants.imports.tasks import validate_import

    job = ImportJob(created_by=user, original_name=(upload.name or "")[:255], step="等待校验")
    # Encrypted at rest under the county's key until it is checked (then deleted): the
    # workbook holds ID numbers, phones and addresses in clear.
    sealed = encrypt_bytes(upload.read(), aad=_file_aad(job.pk))
    job.file.save(f"{job.pk}.xlsx.enc", ContentFile(sealed), save=False)
    job.save()
    if upload.size is not None and upload.size <= inline_max_bytes() and inline_max_bytes() > 0:
        import_job_validate(job.pk)
        job.refresh_from_db()
    else:
        job_id = str(job.pk)
        transaction.on_commit(lambda: _enqueue(validate_import, job_id, State.QUEUED))
    return job


def import_job_validate(job_id: Any) -> str:
    """Check the workbook, store counts, errors, the preview and (if all rows are good) the
    encrypted plan; the workbook itself is deleted either way. Writes no members."""
    claimed = ImportJob.objects.filter(pk=job_id, state__in=(State.QUEUED, State.VALIDATING))
    if not claimed.update(state=State.VALIDATING, step="正在校验"):
        return "skipped"
    try:
        return _validate(job_id)
    except Exception:
        # A bug or an outage must not leave the job "running" and the workbook on disk.
        logger.exception("import job %s: check failed", job_id)
        _finish(job_id, State.FAILED, from_state=State.VALIDATING, step="校验出错", message=CRASHED)
        _discard(job_id)
        return State.FAILED


def _validate(job_id: Any) -> str:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    _report(job_id, 0, "正在校验")
    plan = _read_upload(job)
    if not plan.ok:
        count = len(plan.errors)
        shown = f"（仅列出前 {MAX_STORED_ERRORS:,} 条）" if count > MAX_STORED_ERRORS else ""
        _finish(
            job_id,
            State.INVALID,
            from_state=State.VALIDATING,
            step="校验未通过",
            message=f"发现 {count:,} 处错误{shown}，未导入任何数据。请修改后重新上传。",
            total_rows=plan.total,
            **_error_fields(plan.errors),
        )
        _discard(job_id)
        return State.INVALID
    creates, updates = len(plan.creates), len(plan.updates)
    snapshot_save(job_id, plan)
    done = _finish(
        job_id,
        State.VALIDATED,
        from_state=State.VALIDATING,
        finished_at=None,
        step="校验通过，等待确认",
        total_rows=plan.total,
        create_count=creates,
        update_count=updates,
        preview=preview_of(plan),
        message=f"共 {plan.total:,} 行：将新增 {creates:,} 人，更新 {updates:,} 人。",
    )
    _discard_upload(job_id)
    if not done:  # cancelled meanwhile
        snapshot_drop(job_id)
        return "skipped"
    return State.VALIDATED


def import_job_confirm(job: ImportJob, *, scope: Scope) -> ImportJob:
    """The user confirmed the preview: write (now if small, else on the worker). The rows
    are checked again at the write against the scope of the job's creator."""
    scope.require(Perm.MEMBERS_EDIT, message="您没有导入党员信息的权限。")
    _require_own(scope, job)
    from tenants.imports.tasks import commit_import

    moved = ImportJob.objects.filter(pk=job.pk, state=State.VALIDATED).update(
        state=State.COMMITTING, progress=0, step="等待导入", deliveries=0
    )
    if not moved:
        raise ApplicationError("该导入任务当前不能确认。")
    if job.total_rows <= inline_max_rows():
        import_job_commit(job.pk)
    else:
        job_id = str(job.pk)
        transaction.on_commit(lambda: _enqueue(commit_import, job_id, State.COMMITTING))
    job.refresh_from_db()
    return job


def import_job_commit(job_id: Any) -> str:
    """Write every checked row in one transaction, or nothing (with the reasons by row)."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.state != State.COMMITTING:
        return "skipped"
    try:
        return _commit(job)
    except Exception:
        logger.exception("import job %s: commit failed", job_id)
        return _fail(job_id, CRASHED)


def _commit(job: ImportJob) -> str:
    job_id = job.pk
    _report(job_id, 0, "正在复核")
    scope = _job_scope(job)
    plan = snapshot_load(job_id)
    if plan is None:
        return _fail(job_id, "校验结果已失效，未写入任何数据，请重新上传。")
    errors = recheck(plan, scope=scope)
    if errors:
        return _fail(job_id, "预览后党员信息库或您的管理范围有变化，未写入任何数据。", errors)
    try:
        return _write(job, plan, scope)
    except CommitConflict as exc:
        return _fail(job_id, "预览后部分党员记录有变化，未写入任何数据。", exc.extra["errors"])
    except IntegrityError:
        logger.warning("import job %s: unique constraint at commit", job_id)
        return _fail(job_id, "导入时发现公民身份号码已被同时登记，未写入任何数据，请重新上传。")


@transaction.atomic
def _write(job: ImportJob, plan: Plan, scope: Scope) -> str:
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.state != State.COMMITTING:
        return "skipped"  # another delivery finished it
    # The audit trail (pghistory triggers) names the importing user and the job.
    with pghistory.context(user=job.created_by_id, url=f"/imports/jobs/{job.pk}/"):
        written = write_plan(plan, scope=scope, progress=_scaled(job.pk, 5, 99, "已写入"))
    snapshot_drop(job.pk)
    _finish(
        job.pk,
        State.SUCCEEDED,
        from_state=State.COMMITTING,
        step="导入完成",
        member_ids=written,
        message=f"已导入：新增 {len(plan.creates):,} 人，更新 {len(plan.updates):,} 人。",
    )
    return State.SUCCEEDED


def _fail(job_id: Any, message: str, errors: list[RowError] | None = None) -> str:
    if errors:
        message += "请核对后重新上传。"
    _finish(
        job_id,
        State.FAILED,
        from_state=State.COMMITTING,
        step="导入失败",
        message=message,
        **_error_fields(errors or []),
    )
    _discard(job_id)
    return State.FAILED


def import_job_delivered(job_id: Any) -> bool:
    """Count one delivery of the job's current step to a worker; False (and the job failed
    with a Chinese reason, its files deleted) when it came once too often: a workbook that
    kills its worker (memory, time) is not handed to the next one forever."""
    limit = int(getattr(settings, "ZHDJ_TASK_MAX_DELIVERIES", 3))
    running = ImportJob.objects.filter(pk=job_id, state__in=ImportJob.RUNNING_STATES)
    if not running.update(deliveries=F("deliveries") + 1):
        return True  # done or gone: the step itself will skip
    job = ImportJob.objects.filter(pk=job_id).only("state", "deliveries").first()
    if job is None or job.deliveries <= limit:
        return True
    logger.error("import job %s: delivered %s times, given up", job_id, job.deliveries)
    _finish(job_id, State.FAILED, from_state=job.state, step="导入失败", message=REDELIVERED)
    _discard(job_id)
    return False


def import_job_timed_out(job_id: Any) -> None:
    """The task's soft time limit struck: the job fails (nothing was written: the write is one
    transaction, rolled back by the exception)."""
    job = ImportJob.objects.filter(pk=job_id).only("state").first()
    if job is None or job.state not in ImportJob.RUNNING_STATES:
        return
    message = "处理超时（文件过大），未导入任何数据。请拆分后分批导入。"
    _finish(job_id, State.FAILED, from_state=job.state, step="导入失败", message=message)
    _discard(job_id)


def import_job_cancel(job: ImportJob, *, scope: Scope) -> None:
    """Drop a job that has not been written; its file and checked rows go at once."""
    _require_own(scope, job)
    cancellable = (State.QUEUED, State.VALIDATING, State.VALIDATED)
    # Conditional on the state read: a step that moved the job meanwhile wins.
    if job.state not in cancellable or not _finish(
        job.pk, State.CANCELLED, from_state=job.state, step="已取消", progress=0
    ):
        raise ApplicationError("该导入任务当前不能取消。")
    _discard(job.pk)


def import_jobs_purge_stale(*, now: Any = None) -> int:
    """Cancel jobs left unconfirmed for a day and delete their files."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    stale = ImportJob.objects.filter(
        state__in=(State.QUEUED, State.VALIDATED), created_at__lt=cutoff
    ).values_list("pk", flat=True)
    count = 0
    for job_id in list(stale):
        if ImportJob.objects.filter(pk=job_id, state__in=(State.QUEUED, State.VALIDATED)).update(
            state=State.CANCELLED, step="超过 24 小时未确认，已自动取消", finished_at=timezone.now()
        ):
            _discard(job_id)
            count += 1
    return count
