"""The city-level organization tree (市级党组织树), public schema.

市委 at the root; each county committee (县区委) below it, linked to its tenant;
city-level working committees (市直机关工委 …) beside them. Each county's own tree
continues in its schema, under a root that records the id of its node here.
"""

from __future__ import annotations

from django.db import models
from treebeard.mp_tree import MP_Node


class CityOrganization(MP_Node):
    class Kind(models.TextChoices):
        CITY_COMMITTEE = "city_committee", "市委"
        COUNTY_COMMITTEE = "county_committee", "县区委"
        WORKING_COMMITTEE = "working_committee", "市直工委"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=24, choices=Kind.choices)
    region_code = models.CharField("行政区划代码", max_length=6, blank=True)
    tenant = models.OneToOneField(
        "customers.Tenant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="city_organization",
    )

    node_order_by = ["region_code", "name"]

    class Meta:
        verbose_name = "市级党组织"
        verbose_name_plural = "市级党组织"

    def __str__(self) -> str:
        return self.name
