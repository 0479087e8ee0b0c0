"""Standards and code tables (标准与代码表), public schema, seeded by data migrations.

Tenant tables refer to these by ``code`` (not by foreign key): codes are the
national standard's own keys, survive schema cloning, and keep tenant schemas free
of cross-schema constraints (Citus schema-based sharding).

Region and OrganizationType carry rules of their own and have their own models; every
other code table (学历, 民族, 党籍状态 …) is a ``Code`` row keyed by (table, code), with
the data in ``data/codes/<table>.json`` (../shared/reference/domain-rules.md §5–§7).
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
    # GeoJSON geometry (Polygon / MultiPolygon, WGS-84) for the e-map; schematic until
    # official data is loaded (manage.py load_region_boundaries).
    boundary = models.JSONField("边界", null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OrganizationType(models.Model):
    """A kind of party organization (党组织类型) with its rules from the regulations."""

    # The type the code treats apart: a 党小组 holds no members of its own (its members
    # are on its branch's roll) and holds the 党小组会.
    GROUP = "group"

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
    holds_members = models.BooleanField(
        "党员组织关系可在此",
        default=False,
        help_text="Members' formal organization: branches, not committees or temporary branches.",
    )

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = "党组织类型"
        verbose_name_plural = "党组织类型"

    def __str__(self) -> str:
        return self.name


class CodeTable(models.TextChoices):
    """The code tables held in ``Code`` (代码表目录); one JSON file each in data/codes/."""

    EDUCATION = "education", "学历（GB/T 4658-2006）"
    ETHNICITY = "ethnicity", "民族（GB/T 3304-1991）"
    MEMBER_CATEGORY = "member_category", "人员类别"
    PARTY_STATUS = "party_status", "党籍状态"
    OCCUPATION = "occupation", "职业（党内统计）"
    LOST_CONTACT = "lost_contact", "失联情形"
    ORG_CATEGORY = "org_category", "党组织类别"
    UNIT_SITUATION = "unit_situation", "所在单位情况"
    MEMBER_CHANGE = "member_change", "党员增减类型"
    POST = "post", "党内职务"
    AGE_BAND = "age_band", "年龄段（党内统计）"
    JOINING_PERIOD = "joining_period", "入党时间段（党内统计）"
    MEETING_TYPE = "meeting_type", "组织生活类型"
    DESTINATION_REGION = "destination_region", "流动去向（GB/T 2260）"


class Code(models.Model):
    """An entry of a national or local code table (代码表条目).

    Rows are written only by data migrations (``seed.upsert_codes``), which is what lets
    ``selectors`` cache them per process. A code is never deleted or reused once
    seeded: tenant rows keep it; a withdrawn entry gets ``is_active=False`` instead.
    """

    table = models.CharField("代码表", max_length=32, choices=CodeTable.choices)
    code = models.CharField("代码", max_length=16)
    name = models.CharField("名称", max_length=64)
    parent_code = models.CharField(
        "上级代码", max_length=16, blank=True, help_text="hierarchical tables (学历 categories)"
    )
    sort = models.PositiveIntegerField("排序", default=0)
    extra = models.JSONField(
        "附加属性",
        default=dict,
        blank=True,
        help_text="table-specific attributes, e.g. college_or_above (学历), minority (民族)",
    )
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        ordering = ["table", "sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["table", "code"], name="standards_code_table_code_uniq")
        ]
        verbose_name = "代码表条目"
        verbose_name_plural = "代码表条目"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


# Domain standards live in one module each; a module's models are seeded by its own
# data migration (rules: 0007, development: 0008, dues: 0009, region boundaries: 0010).
from shared.standards.models.access import Permission as Permission  # noqa: E402
from shared.standards.models.access import PostGrant as PostGrant  # noqa: E402
from shared.standards.models.development import *  # noqa: E402, F403
from shared.standards.models.dues import *  # noqa: E402, F403
from shared.standards.models.rules import RuleParameter as RuleParameter  # noqa: E402
