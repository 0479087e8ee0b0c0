"""Rollup tables (汇总表), public schema: what the city reads instead of county schemas.

Each county's job writes here with idempotent upserts; the city dashboard, the county
dashboards and the e-map read only these tables. Rows are aggregates keyed by
(tenant, period, metric, dimension): never a person. The ids of organizations are the
county's own ids, always paired with the tenant (ids repeat across schemas).
"""

from __future__ import annotations

from django.db import models


class Figure(models.Model):
    """One county figure on one day (汇总指标值). The rows of a county's latest period are
    its current figures; earlier periods are the daily snapshots (趋势)."""

    tenant = models.ForeignKey("customers.Tenant", on_delete=models.CASCADE, related_name="+")
    period = models.DateField("统计日")
    metric = models.CharField("指标", max_length=64)
    dimension = models.CharField("维度", max_length=64, blank=True)
    value = models.BigIntegerField("数值")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "汇总指标"
        verbose_name_plural = "汇总指标"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "period", "metric", "dimension"], name="rollup_figure_key"
            )
        ]
        indexes = [models.Index(fields=["metric", "period"])]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.period} {self.metric}[{self.dimension}]={self.value}"


class OrgUnit(models.Model):
    """A county organization as the dashboard and the map see it (组织汇总目录)."""

    tenant = models.ForeignKey("customers.Tenant", on_delete=models.CASCADE, related_name="+")
    org_id = models.BigIntegerField("组织编号")
    path = models.CharField("树路径", max_length=255)
    name = models.CharField("名称", max_length=100)
    type_code = models.CharField("组织类型", max_length=32)
    category_code = models.CharField("组织类别", max_length=8, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "组织汇总目录"
        verbose_name_plural = "组织汇总目录"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "org_id"], name="rollup_orgunit_key")
        ]
        indexes = [models.Index(fields=["tenant", "path"])]

    def __str__(self) -> str:
        return self.name


class OrgFigure(models.Model):
    """A figure of one organization on its own (not its subtree); current only."""

    tenant = models.ForeignKey("customers.Tenant", on_delete=models.CASCADE, related_name="+")
    org_id = models.BigIntegerField("组织编号")
    path = models.CharField("树路径", max_length=255)
    metric = models.CharField("指标", max_length=64)
    dimension = models.CharField("维度", max_length=64, blank=True)
    value = models.BigIntegerField("数值")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "组织汇总指标"
        verbose_name_plural = "组织汇总指标"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "org_id", "metric", "dimension"], name="rollup_orgfigure_key"
            )
        ]
        indexes = [models.Index(fields=["tenant", "metric", "path"])]

    def __str__(self) -> str:
        return f"{self.tenant_id}/{self.org_id} {self.metric}[{self.dimension}]={self.value}"


class TenantRollup(models.Model):
    """The state of a county's rollup: when the figures were computed and how long it took.

    A county without this row has never been rolled up and is not on the dashboard.
    """

    tenant = models.OneToOneField(
        "customers.Tenant", on_delete=models.CASCADE, related_name="rollup_state"
    )
    period = models.DateField("最新统计日")
    started_at = models.DateTimeField("开始计算")
    finished_at = models.DateTimeField("写入完成")
    seconds = models.FloatField("耗时（秒）")
    runs = models.PositiveIntegerField("次数", default=0)
    # Digest of the organization rows last written (OrgUnit and OrgFigure): a run that
    # computes the same digest leaves those thousands of rows alone.
    org_digest = models.CharField("组织数据摘要", max_length=32, blank=True, default="")

    class Meta:
        verbose_name = "区县汇总状态"
        verbose_name_plural = "区县汇总状态"

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.period}"
