"""民主评议党员 (the yearly democratic appraisal of members, domain-rules §4): one appraisal
per branch and year, one entry per member with their self-assessment, the peer review's
anonymous tallies, the committee's proposed grade and the branch's decision.

Peer review is anonymous like a secret ballot: ``AppraisalRater`` says only *that* a
member has reviewed (a second review is refused); the grades exist only as counters
(``AppraisalTally``), raised in the same transaction; neither is tracked by the audit
history. The self-assessment, proposed and decided grades are (``AppraisalEntry``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tenants.access.querysets import ScopedQuerySet, ScopeFields
from zhdj.audit import audited

MANAGE = "orglife.manage"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    BASIC = "basic", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


class Handling(models.TextChoices):
    """What the branch decides for a member graded 不合格 (组织处置)."""

    NONE = "", "—"
    CORRECT = "correct", "限期改正"
    PERSUADE = "persuade", "劝其退党"
    REMOVE = "remove", "除名（按规定程序办理）"


@audited
class Appraisal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "自评和互评中"
        PROPOSED = "proposed", "支委会已提出评定意见"
        DECIDED = "decided", "支部已作出决定"

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="党支部"
    )
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    ballot = models.ForeignKey(
        "orglife.Ballot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    scope_fields = ScopeFields(org="org", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "民主评议党员"
        verbose_name_plural = "民主评议党员"
        ordering = ["-year", "org_id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="orglife_one_appraisal")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.org_id}"


@audited
class AppraisalEntry(models.Model):
    """One member in one year's appraisal: the result kept for points and appraisal."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    self_assessment = models.TextField("个人自评", blank=True)
    proposed = models.CharField("支委会意见", max_length=16, choices=Grade.choices, blank=True)
    grade = models.CharField("评定等次", max_length=16, choices=Grade.choices, blank=True)
    handling = models.CharField("组织处置", max_length=16, choices=Handling.choices, blank=True)
    handling_note = models.CharField("处置说明", max_length=200, blank=True)

    scope_fields = ScopeFields(org="appraisal__org", own="member", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "民主评议结果"
        verbose_name_plural = "民主评议结果"
        ordering = ["appraisal_id", "member__name_pinyin", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "member"], name="orglife_one_entry")
        ]

    def __str__(self) -> str:
        return f"{self.appraisal_id}:{self.member_id}"


class AppraisalTally(models.Model):
    """The peer review's counts for one entry (互评票数), kept apart from the audited
    entry: an audit row per counter change would sit beside the reviewer's request."""

    entry = models.OneToOneField(AppraisalEntry, on_delete=models.CASCADE, related_name="tally")
    excellent = models.PositiveIntegerField("优秀", default=0)
    qualified = models.PositiveIntegerField("合格", default=0)
    basic = models.PositiveIntegerField("基本合格", default=0)
    unqualified = models.PositiveIntegerField("不合格", default=0)

    def __str__(self) -> str:
        return f"{self.entry_id}"


class AppraisalRater(models.Model):
    """That a member has done the peer review (互评) — nothing of what they chose."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="raters")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")

    scope_fields = ScopeFields(org="appraisal__org", own="member", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "member"], name="orglife_one_rater")
        ]

    def __str__(self) -> str:
        return f"{self.appraisal_id}:{self.member_id}"
