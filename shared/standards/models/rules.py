"""Configurable rule parameters (可配置规则参数).

domain-rules.md marks some rules **configurable** (publicity days, letter validity,
the farmers' dues amount, the months before an applicant may become an activist …).
Each is one ``RuleParameter`` row in public, seeded from ``data/rules/<domain>.json``;
a county overrides the value in its own schema (``tenants.rules.RuleOverride``) within
the bounds given here. Code reads the effective value through
``tenants.rules.selectors.rule_value(key)`` and never repeats the number.
"""

from __future__ import annotations

from django.db import models


class RuleParameter(models.Model):
    """One configurable rule with its city default (规则参数)."""

    class Kind(models.TextChoices):
        INTEGER = "int", "整数"
        DECIMAL = "decimal", "小数"
        BOOLEAN = "bool", "是/否"
        TEXT = "text", "文本"

    key = models.CharField("键", max_length=64, unique=True)
    domain = models.CharField("业务", max_length=32)
    name = models.CharField("名称", max_length=64)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    value = models.JSONField("默认值")
    unit = models.CharField("单位", max_length=16, blank=True)
    min_value = models.JSONField("下限", null=True, blank=True)
    max_value = models.JSONField("上限", null=True, blank=True)
    overridable = models.BooleanField("区县可调整", default=True)
    source = models.CharField("依据", max_length=200, blank=True)
    note = models.TextField("说明", blank=True)
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["domain", "sort", "key"]
        verbose_name = "规则参数"
        verbose_name_plural = "规则参数"

    def __str__(self) -> str:
        return f"{self.name}（{self.key}）"

    @property
    def basis(self) -> str:
        """The regulations the rule rests on, as users read them: ``source`` also cites
        the project's own notes (``domain-rules.md §1``) for developers."""
        parts = [p.strip() for p in self.source.split(";")]
        return "；".join(p for p in parts if p and ".md" not in p)
