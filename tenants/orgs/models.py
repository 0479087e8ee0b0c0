"""The county's organization tree (党组织树), in the county's schema.

The root is the county committee (县区委), created at onboarding and linked to its
node in the city tree by ``city_org_id`` (a plain id: public rows are never a
foreign-key target of tenant tables that must be cloned or sharded).
Organization types are the public standard's codes (``standards.OrganizationType``).
"""

from __future__ import annotations

from django.db import models
from treebeard.mp_tree import MP_Node


class Organization(MP_Node):
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    type_code = models.CharField("组织类型", max_length=32, db_index=True)
    city_org_id = models.BigIntegerField("市级组织节点", null=True, blank=True, unique=True)
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    node_order_by = ["name"]

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"

    def __str__(self) -> str:
        return self.name
