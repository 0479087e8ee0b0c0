"""The county's organization tree (党组织树), in the county's schema.

The root is the county committee (县区委), created at onboarding and linked to its
node in the city tree by ``city_org_id`` (a plain id: public rows are never a
foreign-key target of tenant tables that must be cloned or sharded).
Organization types are the public standard's codes (``standards.OrganizationType``).
"""

from __future__ import annotations

from django.db import models
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from tenants.access.querysets import ScopedQuerySet, ScopeFields, scoped
from zhdj.audit import audited

OrganizationQuerySet = scoped(MP_NodeQuerySet)


class OrganizationManager(MP_NodeManager.from_queryset(OrganizationQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> MP_NodeQuerySet:
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")


@audited
class Organization(MP_Node):
    """A party organization (党组织) with the fields of domain-rules §6."""

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    type_code = models.CharField("组织类型", max_length=32, db_index=True)
    city_org_id = models.BigIntegerField("市级组织节点", null=True, blank=True, unique=True)
    is_active = models.BooleanField("有效", default=True)
    dissolved_at = models.DateField("撤销日期", null=True, blank=True)
    category_code = models.CharField("组织类别", max_length=8, blank=True)
    unit_situation_code = models.CharField("所在单位情况", max_length=8, blank=True)
    unit_name = models.CharField("单位名称", max_length=100, blank=True)
    unit_nature = models.CharField("单位性质类别", max_length=50, blank=True)
    industry = models.CharField("行业", max_length=50, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    contact_name = models.CharField("联系人", max_length=32, blank=True)
    contact_phone = models.CharField("联系电话", max_length=32, blank=True)
    has_approval_authority = models.BooleanField("具有审批预备党员权限", default=False)
    term_started_at = models.DateField("本届任期开始", null=True, blank=True)
    term_ends_at = models.DateField("本届任期届满", null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    node_order_by = ["name"]
    # An organization is seen where the user's posts reach (active ones only).
    scope_fields = ScopeFields(org="")
    objects = OrganizationManager()

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"

    def __str__(self) -> str:
        return self.name


class OrganizationChange(models.Model):
    """History of an organization (组织沿革): created, renamed, moved, merged, dissolved."""

    class Action(models.TextChoices):
        CREATE = "create", "成立"
        RENAME = "rename", "更名"
        MOVE = "move", "调整隶属关系"
        MERGE = "merge", "合并"
        DISSOLVE = "dissolve", "撤销"
        UPDATE = "update", "信息修改"

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField("变动", max_length=16, choices=Action.choices)
    effective_date = models.DateField("日期")
    reason = models.CharField("说明", max_length=200, blank=True)
    before = models.JSONField("变动前", default=dict)
    after = models.JSONField("变动后", default=dict)
    actor = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(org="org")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_date", "-id"]
        verbose_name = "组织沿革"
        verbose_name_plural = "组织沿革"

    def __str__(self) -> str:
        return f"{self.org} {self.get_action_display()}"
