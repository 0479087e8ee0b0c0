"""The one voting engine's tables (表决): a ballot held at a meeting, its roll of members
with their right to vote at the meeting's date, and the tally.

Secret ballots (无记名投票) keep no link between a voter and a choice: the roll says only
*that* a member voted (``voted``, no time, no choice) and the choices exist only as the
ballot's counters, raised in the same transaction that marks the voter. Neither table is
tracked by the audit history (its triggers would keep each counter's value beside the
voter's request), and the ballot's close vacuums both tables so that earlier row versions
of the counters do not stay readable on disk (``voting._vacuum``). See docs/orglife.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tenants.access.querysets import ScopedQuerySet, ScopeFields

MANAGE = "orglife.manage"


class BallotKind(models.TextChoices):
    RESOLUTION = "resolution", "支部决议"
    ADMISSION = "admission", "接收预备党员"
    CONFIRMATION = "confirmation", "预备党员转正"
    APPRAISAL = "appraisal", "民主评议"


class Choice(models.TextChoices):
    YES = "yes", "赞成"
    NO = "no", "反对"
    ABSTAIN = "abstain", "弃权"


class Ballot(models.Model):
    """One question put to the vote at one meeting (表决事项)."""

    class Status(models.TextChoices):
        OPEN = "open", "投票中"
        CLOSED = "closed", "已计票"

    class Mode(models.TextChoices):
        PHONE = "phone", "手机投票"
        COUNTED = "counted", "现场计票"  # paper ballots or a show of hands, counted there

    meeting = models.ForeignKey("orglife.Meeting", on_delete=models.PROTECT, related_name="ballots")
    kind = models.CharField("表决类型", max_length=16, choices=BallotKind.choices)
    subject = models.CharField("表决事项", max_length=200)
    # What the result settles elsewhere, e.g. ``development:<record>:15`` (a development
    # record's step 15): the development service accepts only a ballot naming its record.
    subject_key = models.CharField(max_length=64, blank=True, db_index=True)
    secret = models.BooleanField("无记名投票", default=True)
    mode = models.CharField("投票方式", max_length=8, choices=Mode.choices, default=Mode.PHONE)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    as_of = models.DateField("表决权计算日期")
    # The thresholds in force when the ballot opened (rules orglife.quorum_percent, …).
    quorum_percent = models.PositiveSmallIntegerField()
    majority_percent = models.PositiveSmallIntegerField()
    eligible = models.PositiveIntegerField("有表决权的正式党员", default=0)
    excused = models.PositiveIntegerField("经批准不计入应到", default=0)
    expected = models.PositiveIntegerField("应到会有表决权的正式党员", default=0)
    present = models.PositiveIntegerField("实到会有表决权的正式党员", default=0)
    written = models.PositiveIntegerField("书面意见", default=0)
    yes = models.PositiveIntegerField("赞成", default=0)
    no = models.PositiveIntegerField("反对", default=0)
    abstain = models.PositiveIntegerField("弃权", default=0)
    quorum_met = models.BooleanField(null=True)
    passed = models.BooleanField("通过", null=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    scope_fields = ScopeFields(org="meeting__org", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "表决"
        verbose_name_plural = "表决"
        ordering = ["meeting_id", "id"]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def votes(self) -> int:
        return self.yes + self.no + self.abstain


class BallotVoter(models.Model):
    """A member on a ballot's roll (表决名册): whether they have the right to vote at the
    meeting's date and why not, whether they are excused, and whether they voted. The
    choice is kept only on open (记名) ballots."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="voters")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    eligible = models.BooleanField("有表决权")
    excused = models.BooleanField("不计入应到", default=False)
    note = models.CharField("说明", max_length=100, blank=True)
    voted = models.BooleanField("已投票", default=False)
    written = models.BooleanField("书面意见", default=False)
    choice = models.CharField(max_length=8, choices=Choice.choices, blank=True)

    scope_fields = ScopeFields(org="ballot__meeting__org", own="member", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "表决名册"
        verbose_name_plural = "表决名册"
        ordering = ["ballot_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "member"], name="orglife_one_voter"),
            # A choice is never stored without the vote, nor on a secret ballot (checked by
            # the service; the database refuses a choice for a voter who has not voted).
            models.CheckConstraint(
                condition=Q(choice="") | Q(voted=True), name="orglife_choice_needs_vote"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}:{self.member_id}"
