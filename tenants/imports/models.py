"""Excel import jobs and the export log (党员信息导入任务 / 导出记录), in the county's schema."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


def _upload_to(job: ImportJob, filename: str) -> str:
    # Never the user's file name in the path: it can hold names. The storage adds the schema.
    return f"imports/{job.pk}.xlsx"


class ImportJob(models.Model):
    """One Excel import of members (党员信息导入): upload → check and preview → confirm → write.

    The uploaded workbook lives in the tenant's file storage, encrypted under the county's
    key (``zhdj.pii.crypto.encrypt_bytes``), only until it is committed, cancelled or found
    invalid; then it is deleted (no residual personal data).
    ``errors`` holds ``[row, column, message]`` triples (row numbers as Excel shows them);
    messages never repeat an ID number. ``preview`` holds masked values only.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        VALIDATING = "validating", "校验中"
        VALIDATED = "validated", "待确认"
        INVALID = "invalid", "有错误"
        COMMITTING = "committing", "导入中"
        SUCCEEDED = "succeeded", "已导入"
        FAILED = "failed", "导入失败"
        CANCELLED = "cancelled", "已取消"

    RUNNING_STATES = (State.QUEUED, State.VALIDATING, State.COMMITTING)
    FINAL_STATES = (State.INVALID, State.SUCCEEDED, State.FAILED, State.CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file = models.FileField("文件", upload_to=_upload_to, blank=True)
    original_name = models.CharField("原文件名", max_length=255)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    step = models.CharField("当前步骤", max_length=100, blank=True)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    create_count = models.PositiveIntegerField("新增人数", default=0)
    update_count = models.PositiveIntegerField("更新人数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误", default=list)
    preview = models.JSONField("预览", default=dict)
    message = models.TextField("结果说明", blank=True)
    # The members the import created or updated: the rows a county then issues logins to.
    member_ids = models.JSONField("本次写入的党员", default=list, blank=True)
    # How many times the worker was handed the current step (Celery redelivers a task whose
    # worker died: acks late). Past ZHDJ_TASK_MAX_DELIVERIES the job fails, never loops.
    deliveries = models.PositiveSmallIntegerField("投递次数", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "党员信息导入任务"
        verbose_name_plural = "党员信息导入任务"

    def __str__(self) -> str:
        return f"{self.original_name} {self.get_state_display()}"

    @property
    def is_running(self) -> bool:
        return self.state in self.RUNNING_STATES


class ExportLog(models.Model):
    """One Excel export of a member list (党员信息导出记录).

    One row per export, not one ``PersonalDataAccess`` row per exported member: a full
    export of a county is tens of thousands of members, and the question an auditor asks
    is "who took which list, when, with full values or not". The filter is kept as the
    list page's query string, so the same list can be rebuilt.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("导出时间", auto_now_add=True, db_index=True)
    query = models.TextField("筛选条件", blank=True)
    row_count = models.PositiveIntegerField("导出人数", default=0)
    full = models.BooleanField("申请完整信息", default=False)
    revealed_count = models.PositiveIntegerField("含完整信息人数", default=0)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = "党员信息导出记录"
        verbose_name_plural = "党员信息导出记录"

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d %H:%M} {self.row_count}"


class ImportPlanSnapshot(models.Model):
    """The checked rows of a validated import (导入校验结果), kept between preview and commit.

    Encrypted as a whole with the county's key (``zhdj.pii.crypto``) and bound to its job;
    the uploaded workbook is deleted as soon as this exists, and this row is deleted when
    the job is committed, cancelled or expires.
    """

    job = models.OneToOneField(
        ImportJob, on_delete=models.CASCADE, primary_key=True, related_name="snapshot"
    )
    token = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "导入校验结果"
        verbose_name_plural = "导入校验结果"

    def __str__(self) -> str:
        return str(self.job_id)
