"""Member development standards (发展党员 25 步模板), domain-rules.md §1.

《中国共产党发展党员工作细则》(2014) in data: five stages (阶段), twenty-five steps (步骤)
with their acting body, required documents, prerequisites and time rules, seeded from
``data/development_steps.json`` by migration 0008. Values a county may change (months
before an applicant may become an activist, publicity working days …) are rule
parameters (``data/rules/development.json``) that a step's time rule names by key.

The working-day calendar (法定节假日与调休) is data too: ``CalendarDay`` holds only the
exceptions to "Monday to Friday" (holidays on weekdays, working weekends) and
``CalendarYear`` the years that are known. A year that is not known is an error for
whoever counts working days in it, never silently a plain year.
"""

from __future__ import annotations

from django.db import models

__all__ = ["CalendarDay", "CalendarYear", "DevelopmentStage", "DevelopmentStep"]


class DevelopmentStage(models.Model):
    """One of the five stages (阶段): 入党申请人 … 预备党员教育考察和转正."""

    number = models.PositiveSmallIntegerField("阶段序号", unique=True)
    code = models.CharField("代码", max_length=16, unique=True)
    name = models.CharField("名称", max_length=32)
    person_title = models.CharField("人员身份", max_length=16)

    class Meta:
        ordering = ["number"]
        verbose_name = "发展党员阶段"
        verbose_name_plural = "发展党员阶段"

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class DevelopmentStep(models.Model):
    """One of the 25 steps (发展党员步骤) with its rules.

    ``rules`` is a list of time rules, each a dict with ``kind``:

    - ``after``: not before ``from`` step's date + an interval (refused when earlier);
    - ``within``: within an interval of ``from`` step's date; ``severity`` ``flag``
      (late, recorded and shown) or ``refuse`` (e.g. a 政审 conclusion older than 1 year);
    - ``min_age``: the person is at least ``years`` old on the step's date;
    - ``publicity``: a publicity period (公示) of at least N working days;
    - ``training``: at least N days or N class hours (短期集中培训);
    - ``probation_end``: not before the end of the probation period.

    An interval is ``months`` or ``days`` given inline (regulation) or by ``rule``, the key
    of a configurable ``RuleParameter`` (its ``unit`` says months or days).
    """

    class Level(models.TextChoices):
        APPLICANT = "applicant", "申请人"
        BRANCH = "branch", "党支部"
        COMMITTEE = "committee", "上级党委"
        APPROVAL = "approval", "有审批权限的基层党委"

    number = models.PositiveSmallIntegerField("步骤序号", unique=True)
    stage = models.ForeignKey(
        DevelopmentStage, on_delete=models.PROTECT, related_name="steps", verbose_name="阶段"
    )
    name = models.CharField("名称", max_length=32)
    actor = models.CharField("实施主体", max_length=64)
    level = models.CharField("办理层级", max_length=16, choices=Level.choices)
    reviewed = models.BooleanField(
        "需上级审核", default=False, help_text="submitted by the branch, passed by a committee"
    )
    documents = models.JSONField("必备材料", default=list, blank=True)
    requires = models.JSONField("前置步骤", default=list, blank=True)
    rules = models.JSONField("时间规则", default=list, blank=True)
    people = models.CharField(
        "人员",
        max_length=16,
        blank=True,
        help_text="contact (培养联系人) or introducer (入党介绍人)",
    )
    people_min = models.PositiveSmallIntegerField("人数下限", default=0)
    people_max = models.PositiveSmallIntegerField("人数上限", default=0)
    meeting = models.BooleanField("支部大会表决", default=False)
    repeatable = models.BooleanField("可多次记录", default=False)
    per_probation = models.BooleanField(
        "每个预备期一次", default=False, help_text="again after an extended probation"
    )
    enters_status = models.CharField("完成后身份", max_length=16, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = "发展党员步骤"
        verbose_name_plural = "发展党员步骤"

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class CalendarYear(models.Model):
    """A year whose holidays and working weekends are known (节假日安排已录入)."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=100, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = "节假日年度"
        verbose_name_plural = "节假日年度"

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to Monday–Friday: a weekday holiday or a working weekend (调休上班)."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    name = models.CharField("名称", max_length=32, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'} {self.name}"
