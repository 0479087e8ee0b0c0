"""Extended sets of a member record (党员信息扩展信息集), domain-rules §6:
职务, 奖惩, 家庭成员, 党内经历, 困难情况, 出国出境.

Each set is a small table of rows belonging to one member; one spec per set drives the
model, the form and the page, so adding a set is one entry here.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import models

from tenants.access.querysets import ScopedQuerySet, ScopeFields
from tenants.members.models import Member
from zhdj.audit import audited
from zhdj.pii.fields import EncryptedTextField


class _Record(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(org="member__org", own="member")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


@audited
class JobRecord(_Record):
    """职务 (work posts held outside the party)."""

    unit = models.CharField("单位", max_length=100)
    title = models.CharField("职务", max_length=100)
    started_at = models.DateField("任职日期")
    ended_at = models.DateField("免职日期", null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "职务"


@audited
class HonorRecord(_Record):
    """奖惩 (rewards and punishments)."""

    class Kind(models.TextChoices):
        REWARD = "reward", "奖励"
        PUNISHMENT = "punishment", "惩处"

    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=100)
    decided_at = models.DateField("日期")
    authority = models.CharField("批准机关", max_length=100, blank=True)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = "奖惩"


@audited
class FamilyRecord(_Record):
    """家庭成员 (family members)."""

    relation = models.CharField("称谓", max_length=16)
    name = models.CharField("姓名", max_length=32)
    work_unit = models.CharField("工作单位及职务", max_length=100, blank=True)
    political_status = models.CharField("政治面貌", max_length=16, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "家庭成员"


@audited
class PartyExperienceRecord(_Record):
    """党内经历 (earlier party posts and organizations)."""

    org_name = models.CharField("党组织", max_length=100)
    post = models.CharField("职务", max_length=50, blank=True)
    started_at = models.DateField("开始日期")
    ended_at = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "党内经历"


@audited
class HardshipRecord(_Record):
    """困难情况 (hardship, for care and dues reduction)."""

    # Encrypted at rest: a hardship (illness, disability, poverty) is sensitive personal data.
    kind = EncryptedTextField("困难类型", max_length=32)
    description = EncryptedTextField("情况说明", max_length=200)
    since = models.DateField("开始日期")
    resolved_at = models.DateField("解除日期", null=True, blank=True)

    class Meta:
        ordering = ["-since"]
        verbose_name = "困难情况"


@audited
class AbroadRecord(_Record):
    """出国出境 (stays abroad)."""

    destination = models.CharField("国家或地区", max_length=50)
    reason = models.CharField("事由", max_length=100)
    left_at = models.DateField("出境日期")
    returned_at = models.DateField("回国日期", null=True, blank=True)

    class Meta:
        ordering = ["-left_at"]
        verbose_name = "出国出境"


class RecordSet(NamedTuple):
    model: type[_Record]
    fields: tuple[str, ...]  # editable and shown, in order
    period: tuple[str, str] | None  # a start/end pair that must be in order


# slug → set, in the order the member page shows them.
RECORD_SETS: dict[str, RecordSet] = {
    "jobs": RecordSet(
        JobRecord, ("unit", "title", "started_at", "ended_at"), ("started_at", "ended_at")
    ),
    "honors": RecordSet(HonorRecord, ("kind", "name", "decided_at", "authority"), None),
    "family": RecordSet(FamilyRecord, ("relation", "name", "work_unit", "political_status"), None),
    "experience": RecordSet(
        PartyExperienceRecord,
        ("org_name", "post", "started_at", "ended_at"),
        ("started_at", "ended_at"),
    ),
    "hardship": RecordSet(
        HardshipRecord, ("kind", "description", "since", "resolved_at"), ("since", "resolved_at")
    ),
    "abroad": RecordSet(
        AbroadRecord,
        ("destination", "reason", "left_at", "returned_at"),
        ("left_at", "returned_at"),
    ),
}
