"""Tenant registry (public schema): counties and districts, their domains, onboarding jobs.

A tenant is a county-level division (县/区/县级市) with its own PostgreSQL schema.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ImproperlyConfigured
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django_tenants.models import DomainMixin, TenantMixin

from zhdj.pii.crypto import current_key_version, new_key_id

SCHEMA_NAME_RE = r"^[a-z][a-z0-9_]{1,39}$"
RESERVED_SCHEMA_NAMES = frozenset(
    {"public", "information_schema", "city", "www", "api", "admin", "ops", "static", "media"}
)

schema_name_validator = RegexValidator(
    SCHEMA_NAME_RE,
    "标识只能由小写字母、数字和下划线组成，以字母开头，长度 2–40。",
)
region_code_validator = RegexValidator(r"^\d{6}$", "行政区划代码应为 6 位数字（GB/T 2260）。")


def default_key_version() -> int:
    """A new county's blind indexes start under the current master-key version."""
    try:
        return current_key_version()
    except ImproperlyConfigured:  # no master key (yet): the first version
        return 1


class Tenant(TenantMixin):
    """A county or district (县区) with its own schema.

    Created with status PROVISIONING by the onboarding service, which makes it
    ACTIVE only once the schema, root organization, administrator and domain exist.
    The TEMPLATE row is the migrated, empty schema that new counties are cloned from;
    it has no domain and never serves requests.
    """

    class Status(models.TextChoices):
        PROVISIONING = "provisioning", "开通中"
        ACTIVE = "active", "正常"
        SUSPENDED = "suspended", "已暂停"
        TEMPLATE = "template", "模板"
        # Dropped (注销): schema, domains and files are gone; the row stays so that the audit
        # trail, the city tree's history and interchange envelopes naming it still resolve.
        OFFBOARDED = "offboarded", "已注销"

    name = models.CharField("名称", max_length=64, unique=True)
    region_code = models.CharField(
        "行政区划代码",
        max_length=6,
        unique=True,
        null=True,
        blank=True,
        validators=[region_code_validator],
    )
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.PROVISIONING
    )
    suspended_reason = models.CharField("暂停原因", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    activated_at = models.DateTimeField("开通时间", null=True, blank=True)
    offboarded_at = models.DateTimeField("注销时间", null=True, blank=True)
    # Who dropped it, as the lifecycle trail names them (a city login or the command line).
    offboarded_by = models.CharField("注销人", max_length=100, blank=True, db_default="")
    # The county's personal-data key identity (zhdj.pii.crypto): set once at creation and
    # kept when the schema is renamed or restored under another name, so its data stays
    # readable. Counties older than key ids have their schema name here.
    key_id = models.CharField("密钥标识", max_length=64, default=new_key_id, editable=False)
    # The master-key version the county's blind indexes are under (rotate_pii_keys).
    key_version = models.PositiveSmallIntegerField(
        "索引密钥版本", default=default_key_version, editable=False
    )

    # The onboarding service creates the schema itself (clone or migrate), in steps.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        verbose_name = "区县租户"
        verbose_name_plural = "区县租户"
        ordering = ["region_code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.schema_name}）"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_county(self) -> bool:
        """A county whose schema and domains exist (正常 or 已暂停): one ops may manage."""
        return self.status in (self.Status.ACTIVE, self.Status.SUSPENDED)


class Domain(DomainMixin):
    """A host name that routes to a tenant (e.g. ``yuyang.dj.example.gov.cn``)."""

    class Meta:
        verbose_name = "域名"
        verbose_name_plural = "域名"

    def __str__(self) -> str:
        return self.domain


class OnboardingJob(models.Model):
    """One run of the onboarding service, started from the ops page (开通区县任务), or of
    the offboarding service (注销区县任务, ``kind`` OFFBOARD)."""

    class Kind(models.TextChoices):
        ONBOARD = "onboard", "开通"
        OFFBOARD = "offboard", "注销"

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(
        "任务类型", max_length=16, choices=Kind.choices, default=Kind.ONBOARD, db_default="onboard"
    )
    params = models.JSONField("参数")
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    step = models.CharField("当前步骤", max_length=100, blank=True)
    message = models.TextField("结果说明", blank=True)
    schema_name = models.CharField(max_length=63, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "开通任务"
        verbose_name_plural = "开通任务"

    def __str__(self) -> str:
        return f"{self.schema_name} {self.get_state_display()}"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)


class LifecycleEvent(models.Model):
    """One lifecycle action on a county (区县变更记录): a domain renamed, added, removed or
    made primary, a suspension, a resumption, an offboarding — who, when, what, from where.

    The city-level trail the city's auditor (审计管理员) reads. Rows are written once by
    ``shared.customers.lifecycle.lifecycle_record`` and never changed: a database trigger
    refuses UPDATE, DELETE and TRUNCATE (migration 0003), as for the security events. The
    county is kept by id, identifier and name at the time, without a database foreign key,
    so that no change to the tenant registry can ever touch a row of the trail.
    """

    class Action(models.TextChoices):
        ONBOARD = "onboard", "开通区县"
        DOMAIN_RENAME = "domain_rename", "更换主域名"
        DOMAIN_ADD = "domain_add", "添加域名"
        DOMAIN_REMOVE = "domain_remove", "删除域名"
        DOMAIN_PRIMARY = "domain_primary", "设为主域名"
        SUSPEND = "suspend", "暂停服务"
        RESUME = "resume", "恢复服务"
        OFFBOARD_QUEUED = "offboard_queued", "提交注销"
        OFFBOARD = "offboard", "注销区县"
        BACKUP = "backup", "备份"
        HANDOVER = "handover", "移交导出"
        RESTORE = "restore", "恢复备份"
        ARCHIVE_DOWNLOAD = "archive_download", "下载备份"

    class Source(models.TextChoices):
        PAGE = "page", "运维页面"
        COMMAND = "command", "命令行"

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    action = models.CharField("操作", max_length=20, choices=Action.choices, db_index=True)
    tenant = models.ForeignKey(
        Tenant,
        verbose_name="区县",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    tenant_name = models.CharField("区县名称", max_length=64)
    schema_name = models.CharField("标识", max_length=63)
    user_id = models.BigIntegerField("用户编号", null=True, blank=True)
    username = models.CharField("操作人", max_length=100, blank=True)
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    origin = models.CharField("地址", max_length=300, blank=True)  # page path or command line
    detail = models.CharField("说明", max_length=500, blank=True)
    ok = models.BooleanField("成功", default=True)

    class Meta:
        verbose_name = "区县变更记录"
        verbose_name_plural = "区县变更记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.tenant_name}"
