"""The development record (发展党员全程纪实), in the county's schema.

One ``DevelopmentRecord`` per person on the way from 入党申请人 to 正式党员 (domain-rules
§1); each of the 25 steps recorded is a ``StepEntry`` with its date, acting body,
documents (``StepDocument``), the people named (``StepPerson``: 培养联系人, 入党介绍人) and,
for steps 15 and 23, the branch meeting's vote (``MeetingVote``). The person's ID number,
phone and address are encrypted with the county's key exactly like ``Member``'s.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tenants.access.permissions import Perm
from tenants.access.querysets import ScopedQuerySet, ScopeFields
from tenants.members.models import Member, Sex
from tenants.orgs.models import Organization
from zhdj.audit import audited
from zhdj.pii.fields import BlindIndexField, EncryptedTextField
from zhdj.pii.storage import encrypted_storage


class Status(models.TextChoices):
    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    TARGET = "target", "发展对象"
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"
    ARCHIVED = "archived", "已归档"
    CANCELLED = "cancelled", "已取消预备党员资格"


OPEN_STATUSES = (Status.APPLICANT, Status.ACTIVIST, Status.TARGET, Status.PROBATIONARY)
# The pipeline's columns, in order (a full member whose file is not archived yet counts
# as 正式党员 until step 25).
PIPELINE = (Status.APPLICANT, Status.ACTIVIST, Status.TARGET, Status.PROBATIONARY, Status.FULL)

# Who sees a development record: post holders whose posts carry development work over
# its branch, plus the person themself — by their login while an applicant, by their
# member record once admitted.
MANAGE = Perm.DEVELOPMENT_MANAGE.value


def _fields(to_record: str) -> ScopeFields:
    return ScopeFields(
        org=f"{to_record}org",
        own=f"{to_record}member",
        own_user=f"{to_record}user",
        permission=MANAGE,
    )


@audited
class DevelopmentRecord(models.Model):
    """A person's development file (发展党员纪实档案)."""

    org = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="development_records",
        verbose_name="所在党支部",
    )
    name = models.CharField("姓名", max_length=32)
    id_number = EncryptedTextField("公民身份号码")
    id_number_index = BlindIndexField(unique=True)
    sex = models.CharField("性别", max_length=8, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    ethnicity_code = models.CharField("民族", max_length=16)
    education_code = models.CharField("学历", max_length=16, blank=True)
    job_title = models.CharField("工作单位及职务", max_length=100, blank=True)
    phone = EncryptedTextField("手机号", blank=True)
    phone_index = BlindIndexField(null=True, db_index=True)  # NULL when blank, like Member
    address = EncryptedTextField("家庭住址", blank=True)
    status = models.CharField(
        "当前身份", max_length=16, choices=Status.choices, default=Status.APPLICANT
    )
    applied_on = models.DateField("递交入党申请书日期")
    member = models.OneToOneField(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="development_record",
        verbose_name="党员信息",
    )
    probation_start = models.DateField("预备期开始", null=True, blank=True)
    probation_end = models.DateField("预备期满", null=True, blank=True)
    probation_round = models.PositiveSmallIntegerField("预备期次数", default=0)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="development_record",
        verbose_name="登录账号",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    scope_fields = _fields("")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["org_id", "applied_on", "id"]
        indexes = [models.Index(fields=["org", "status"])]
        verbose_name = "发展党员纪实档案"
        verbose_name_plural = "发展党员纪实档案"

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@audited
class StepEntry(models.Model):
    """One step recorded (步骤记录). Steps that a committee passes are submitted by the
    branch first (``pending``), then passed (``done``) or returned with a reason."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        DONE = "done", "已完成"
        RETURNED = "returned", "已退回"

    record = models.ForeignKey(DevelopmentRecord, on_delete=models.PROTECT, related_name="entries")
    step_number = models.PositiveSmallIntegerField("步骤")
    state = models.CharField("状态", max_length=16, choices=State.choices)
    done_on = models.DateField("日期")
    probation_round = models.PositiveSmallIntegerField(default=0)
    actor_name = models.CharField("实施主体或经办人", max_length=64)
    acting_org = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="审核党组织",
    )
    note = models.TextField("情况说明", blank=True)
    details = models.JSONField("步骤信息", default=dict, blank=True)
    late_days = models.PositiveIntegerField("超期天数", default=0)
    late_rule = models.CharField("超期规则", max_length=100, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = _fields("record__")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["step_number", "done_on", "id"]
        indexes = [models.Index(fields=["record", "step_number", "state"])]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "step_number", "probation_round"],
                condition=Q(state="pending"),
                name="development_one_pending_step",
            )
        ]
        verbose_name = "发展步骤记录"
        verbose_name_plural = "发展步骤记录"

    def __str__(self) -> str:
        return f"{self.record} 第{self.step_number}步 {self.get_state_display()}"

    @property
    def is_late(self) -> bool:
        return self.late_days > 0


def document_path(instance: StepDocument, filename: str) -> str:
    # The storage puts this under media/<schema>/ (TenantFileSystemStorage), encrypted with
    # the county's key (zhdj.pii.storage); the name the user gave never reaches the disk.
    return f"development/{instance.entry.record_id}/{instance.sha256[:16]}{instance.extension}"


@audited
class StepDocument(models.Model):
    """An uploaded document of a step (PDF, JPEG or PNG), served only through a scoped view."""

    entry = models.ForeignKey(StepEntry, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("材料名称", max_length=32)
    file = models.FileField(
        "文件", upload_to=document_path, max_length=200, storage=encrypted_storage
    )
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    scope_fields = _fields("entry__record__")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["entry_id", "kind", "id"]
        verbose_name = "发展材料"
        verbose_name_plural = "发展材料"

    def __str__(self) -> str:
        return f"{self.kind}（{self.original_name}）"

    @property
    def extension(self) -> str:
        return {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
            self.content_type, ""
        )


def submission_path(instance: Submission, filename: str) -> str:
    return (
        f"development/{instance.record_id}/own-{instance.sha256[:16]}"
        f"{EXTENSIONS.get(instance.content_type, '')}"
    )


EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


@audited
class Submission(models.Model):
    """A document the person hands in themself from their own page (本人递交材料): the
    application (入党申请书) or a thought report (思想汇报), as a file or as typed text
    (kept as text and as a PDF made from it). The branch sees it on the record."""

    class Kind(models.TextChoices):
        APPLICATION = "入党申请书", "入党申请书"
        THOUGHT_REPORT = "思想汇报", "思想汇报"

    record = models.ForeignKey(
        DevelopmentRecord, on_delete=models.CASCADE, related_name="submissions"
    )
    kind = models.CharField("材料名称", max_length=32, choices=Kind.choices)
    title = models.CharField("标题", max_length=100, blank=True)
    text = EncryptedTextField("正文", blank=True)  # a thought report is personal
    file = models.FileField(
        "文件", upload_to=submission_path, max_length=200, storage=encrypted_storage
    )
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    submitted_on = models.DateField("递交日期")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    scope_fields = _fields("record__")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["record_id", "-submitted_at", "-id"]
        indexes = [models.Index(fields=["record", "kind", "submitted_on"])]
        verbose_name = "本人递交材料"
        verbose_name_plural = "本人递交材料"

    def __str__(self) -> str:
        return f"{self.kind}（{self.submitted_on:%Y-%m-%d}）"


@audited
class StepPerson(models.Model):
    """A full member named at a step: 培养联系人 (step 5) or 入党介绍人 (step 9)."""

    class Role(models.TextChoices):
        CONTACT = "contact", "培养联系人"
        INTRODUCER = "introducer", "入党介绍人"

    entry = models.ForeignKey(StepEntry, on_delete=models.PROTECT, related_name="people")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices)

    scope_fields = _fields("entry__record__")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "联系人和介绍人"
        verbose_name_plural = "联系人和介绍人"

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.member}"


@audited
class MeetingVote(models.Model):
    """The branch meeting's vote (支部大会表决) at step 15 or 23."""

    entry = models.OneToOneField(StepEntry, on_delete=models.PROTECT, related_name="vote")
    # The ballot the figures come from (the voting engine, ``tenants.orglife.voting``);
    # empty for a record received from another county, which keeps its figures only.
    ballot = models.ForeignKey(
        "orglife.Ballot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expected = models.PositiveIntegerField("应到会有表决权的正式党员")
    present = models.PositiveIntegerField("实到会有表决权的正式党员")
    yes = models.PositiveIntegerField("赞成（含书面意见）")
    no = models.PositiveIntegerField("反对", default=0)
    abstain = models.PositiveIntegerField("弃权", default=0)

    class Meta:
        verbose_name = "支部大会表决"
        verbose_name_plural = "支部大会表决"

    def __str__(self) -> str:
        return f"{self.entry} {self.yes}/{self.expected}"


class ReminderLog(models.Model):
    """A reminder sent, so that the daily job sends each one once (idempotent)."""

    record = models.ForeignKey(DevelopmentRecord, on_delete=models.CASCADE, related_name="+")
    step_number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16)  # upcoming / overdue
    due_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "step_number", "kind", "due_on"],
                name="development_reminder_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.step_number} {self.kind} {self.due_on}"
