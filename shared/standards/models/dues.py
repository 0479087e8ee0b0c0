"""Party dues standards (党费收缴标准), domain-rules.md §2.

中组发〔2008〕3号: members in service pay a share of their fixed monthly income after
personal income tax, by bracket (≤3000 元 0.5%, 3000–5000 元 1%, 5000–10000 元 1.5%,
>10000 元 2%; each upper edge inclusive); retired members 0.5% up to 5000 元 inclusive,
1% above; farmers a fixed 0.2–1 元 (configurable per county, ``dues.farmer_monthly_fen``);
students, the unemployed and people on 低保 a fixed 0.2 元 (``dues.low_income_monthly_fen``).

Money is in 分 and rates in basis points (1/10000), both integers: 0.5% is 50.
Seeded from ``data/dues_brackets.json`` by migration 0009.
"""

from __future__ import annotations

from django.db import models

__all__ = ["DuesBracket", "DuesCategory"]


class DuesCategory(models.Model):
    """A kind of member for dues purposes (党费缴纳人员类别) and how their amount is found."""

    class Scheme(models.TextChoices):
        SALARY = "salary", "按工资收入比例"
        RETIRED = "retired", "按离退休费比例"
        FIXED = "fixed", "固定金额"

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=32)
    scheme = models.CharField("计算方式", max_length=16, choices=Scheme.choices)
    base_label = models.CharField("基数说明", max_length=64, blank=True)
    # For FIXED: the rule parameter holding the monthly amount in 分 (rules are data).
    amount_rule_key = models.CharField("金额规则键", max_length=64, blank=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = "党费缴纳类别"
        verbose_name_plural = "党费缴纳类别"

    def __str__(self) -> str:
        return self.name


class DuesBracket(models.Model):
    """One bracket of a proportional scheme: base in (lower, upper] 分 pays ``rate_bp``/10000.

    ``lower_fen`` is exclusive and ``upper_fen`` inclusive (the regulation's "以下（含）");
    the last bracket has no upper edge.
    """

    scheme = models.CharField("计算方式", max_length=16, choices=DuesCategory.Scheme.choices)
    lower_fen = models.BigIntegerField("下限（分，不含）")
    upper_fen = models.BigIntegerField("上限（分，含）", null=True, blank=True)
    rate_bp = models.PositiveIntegerField("比例（万分之）")

    class Meta:
        ordering = ["scheme", "lower_fen"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "lower_fen"], name="standards_duesbracket_scheme_lower_uniq"
            )
        ]
        verbose_name = "党费比例档次"
        verbose_name_plural = "党费比例档次"

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.lower_fen}–{self.upper_fen} {self.rate_bp}‱"
