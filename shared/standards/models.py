"""Standards and code tables (标准与代码表), public schema, seeded by data migrations.

Tenant tables refer to these by ``code`` (not by foreign key): codes are the
national standard's own keys, survive schema cloning, and keep tenant schemas free
of cross-schema constraints (Citus schema-based sharding).
"""

from __future__ import annotations

from django.db import models


class Region(models.Model):
    """A GB/T 2260 administrative division of the city (行政区划)."""

    class Level(models.TextChoices):
        CITY = "city", "地级"
        COUNTY = "county", "县级"

    code = models.CharField("代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=32)
    level = models.CharField("级别", max_length=8, choices=Level.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OrganizationType(models.Model):
    """A kind of party organization (党组织类型) with its rules from the regulations."""

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=32)
    rank = models.PositiveSmallIntegerField("层级顺序", help_text="smaller is higher in the tree")
    is_committee = models.BooleanField("是否党委类", default=False)
    may_approve_members = models.BooleanField(
        "可具有审批预备党员权限",
        default=False,
        help_text="Only base committees can hold approval authority; 党总支 and 党组 never.",
    )
    min_full_members = models.PositiveSmallIntegerField("正式党员下限", null=True, blank=True)
    normal_max_members = models.PositiveSmallIntegerField("党员数一般上限", null=True, blank=True)
    term_years = models.PositiveSmallIntegerField("任期（年）", null=True, blank=True)
    allowed_parents = models.JSONField("可隶属的上级类型", default=list)

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = "党组织类型"
        verbose_name_plural = "党组织类型"

    def __str__(self) -> str:
        return self.name
