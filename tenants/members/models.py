"""The party member database (党员信息库), in the county's schema.

Fields follow domain-rules §6 (the national member information system). Codes
(ethnicity, education, category, status, occupation, lost-contact situation, posts)
are codes of the public code tables (``shared.standards.Code``). ID number, mobile
phone and address are encrypted with the county's key; the ``*_index`` columns hold
keyed hashes for exact lookup and uniqueness.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from tenants.access.querysets import ScopedQuerySet, ScopeFields
from tenants.orgs.models import Organization
from zhdj.audit import audited
from zhdj.pii.fields import BlindIndexField, EncryptedTextField


class Sex(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


@audited
class Member(models.Model):
    """A party member (党员), full or probationary."""

    org = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name="所在党支部",
        db_index=False,  # the (org, party_status_code) index serves it
    )
    name = models.CharField("姓名", max_length=32)
    name_pinyin = models.CharField("姓名拼音", max_length=128, editable=False)
    name_initials = models.CharField("拼音首字母", max_length=32, editable=False)
    id_number = EncryptedTextField("公民身份号码")
    id_number_index = BlindIndexField()
    sex = models.CharField("性别", max_length=8, choices=Sex.choices)
    ethnicity_code = models.CharField("民族", max_length=16)
    birth_date = models.DateField("出生日期")
    education_code = models.CharField("学历", max_length=16, blank=True)
    category_code = models.CharField("人员类别", max_length=16)  # full / probationary
    joined_at = models.DateField("加入党组织日期")
    full_member_at = models.DateField("转为正式党员日期", null=True, blank=True)
    job_title = models.CharField("工作岗位", max_length=100, blank=True)
    occupation_code = models.CharField("职业", max_length=16, blank=True)
    phone = EncryptedTextField("手机号", blank=True)
    # NULL (not "") when there is no phone: index_for() gives None for a blank value.
    phone_index = BlindIndexField(null=True)
    landline = EncryptedTextField("固定电话", max_length=32, blank=True)
    address = EncryptedTextField("家庭住址", blank=True)
    party_status_code = models.CharField("党籍状态", max_length=16, default="normal")
    lost_contact = models.BooleanField("是否失联", default=False)
    lost_contact_at = models.DateField("失联日期", null=True, blank=True)
    lost_contact_code = models.CharField("失联情形", max_length=16, blank=True)
    flowing = models.BooleanField("是否流动党员", default=False)
    flow_destination = models.CharField("外出流向", max_length=100, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
        verbose_name="登录账号",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    scope_fields = ScopeFields(org="org", own="pk")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["org_id", "name", "id"]
        # Each index costs every insert (the generator and the Excel import load tens of
        # thousands of rows); none is kept twice. Lookups by organization use the
        # (org, party_status_code) index, so the foreign key has no index of its own; the
        # blind indexes are looked up by equality only and the name keys by prefix only, so
        # neither gets Django's second ``_like`` / plain index.
        indexes = [
            models.Index(fields=["org", "party_status_code"]),
            models.Index(fields=["party_status_code", "category_code"]),
            models.Index(
                fields=["name_pinyin"],
                name="members_name_pinyin_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["name_initials"],
                name="members_name_initials_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["phone_index"], name="members_phone_index"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number_index"], name="members_id_number_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class StatusAction(models.TextChoices):
    """Explicit status changes (党籍变动), each with a date and a reason."""

    SUSPEND = "suspend", "停止党籍"
    LEAVE = "leave", "出党"
    DEATH = "death", "死亡"
    TRANSFER_OUT = "transfer_out", "已转出"
    LOST_CONTACT = "lost_contact", "失联"
    RESTORE = "restore", "恢复"


@audited
class MemberStatusChange(models.Model):
    """One status change of a member, kept forever (党籍变动记录)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="status_changes")
    action = models.CharField("变动", max_length=16, choices=StatusAction.choices)
    effective_date = models.DateField("日期")
    reason = models.TextField("原因")
    from_status = models.CharField(max_length=16)
    to_status = models.CharField(max_length=16)
    lost_contact_code = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(org="member__org", own="member")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_date", "-id"]
        verbose_name = "党籍变动"
        verbose_name_plural = "党籍变动"

    def __str__(self) -> str:
        return f"{self.member} {self.get_action_display()} {self.effective_date}"


class PersonalDataAccess(models.Model):
    """A view of a full personal value (个人信息查看记录): who, whose, which field, when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    field = models.CharField(max_length=32)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    # Who viewed whose full values: for those who may see them (members.reveal).
    scope_fields = ScopeFields(org="member__org", permission="members.reveal")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        # The read-access log is append-only, enforced by the database.
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]
        verbose_name = "个人信息查看记录"
        verbose_name_plural = "个人信息查看记录"

    def __str__(self) -> str:
        return f"{self.user} {self.member} {self.field}"


class EditProposal(models.Model):
    """A member's proposed correction of their own record (党员信息双向维护):
    the branch approves it (the record changes) or returns it with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        RETURNED = "returned", "已退回"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="proposals")
    # JSON of {field: new value}; encrypted because it may hold a phone or an address.
    changes = EncryptedTextField("修改内容")
    note = models.CharField("说明", max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    return_reason = models.CharField("退回原因", max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(org="member__org", own="member")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "信息修改申请"
        verbose_name_plural = "信息修改申请"
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="pending"), name="one_pending_proposal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_status_display()}"


# The extended sets live in records.py; import them so Django registers the models.
from tenants.members.records import (  # noqa: E402, F401
    AbroadRecord,
    FamilyRecord,
    HardshipRecord,
    HonorRecord,
    JobRecord,
    PartyExperienceRecord,
)
