"""Flowing members (流动党员, domain-rules §8), in the county's schema.

- ``Outflow``: a member of this county going out for a while without transferring the
  relationship: where to (GB/T 2260 code and place), why, for how long, how to reach
  them, which paper they left with (活动证 or, abroad for study, the relationship kept),
  the card's number, the return.
- ``ContactLog``: each contact with a member away or out of contact, once: the member's
  report (报告), the branch reaching them, or a search that did not (查找未果, the steps
  a 失联 case needs).
- ``FlowingGroup``: the flowing party group or temporary branch of three or more members
  gone to one place.
- ``Inflow``: a member of another county of the city flowing into this one, as the
  destination county keeps them (from the public ``FlowNotice``; never the other schema).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tenants.access.querysets import ScopedQuerySet, ScopeFields
from tenants.members.models import Member
from tenants.orgs.models import Organization
from zhdj.audit import audited
from zhdj.pii.fields import EncryptedTextField

MANAGE = "flowing.manage"


class Direction(models.TextChoices):
    """The directions of the flowing-members table (党内统计)."""

    WITHIN_CITY = "within_city", "市内流动"
    IN_PROVINCE = "in_province", "省内跨市"
    OUT_OF_PROVINCE = "out_of_province", "跨省流动"
    ABROAD = "abroad", "出国（境）"


class Reason(models.TextChoices):
    WORK = "work", "外出务工经商"
    STUDY = "study", "外出就学"
    FAMILY = "family", "随迁、投亲"
    OTHER = "other", "其他"


class Paper(models.TextChoices):
    """What a member going out leaves with, as the rules decide (``rules.decide``)."""

    CARD = "card", "流动党员活动证"
    ABROAD = "abroad", "出国（境）保留组织关系"
    LETTER = "letter", "党员证明信"
    TRANSFER = "transfer", "转接组织关系"
    NONE = "none", "不作为流动党员"


class OutflowState(models.TextChoices):
    ACTIVE = "active", "外出中"
    RETURNED = "returned", "已返回"
    CANCELLED = "cancelled", "已撤销"


class DuesPlace(models.TextChoices):
    HOME = "home", "在原党支部交纳"
    DESTINATION = "destination", "在流入地交纳"


class FlowingGroup(models.Model):
    """A flowing party group or temporary branch (流动党员党小组 / 临时党支部)."""

    class Kind(models.TextChoices):
        GROUP = "group", "流动党员党小组"
        TEMPORARY = "temporary", "流动党员临时党支部"

    org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name="设立党组织"
    )
    kind = models.CharField("形式", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=100)
    destination_code = models.CharField("流入地代码", max_length=6)
    destination = models.CharField("流入地", max_length=100)
    leader = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="负责人",
    )  # fmt: skip
    founded_on = models.DateField("成立日期")
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)

    scope_fields = ScopeFields(org="org", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-founded_on", "id"]
        verbose_name = "流动党员党组织"
        verbose_name_plural = "流动党员党组织"

    def __str__(self) -> str:
        return self.name


@audited
class Outflow(models.Model):
    """A member going out (外出流动登记)."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="outflows", verbose_name="党员"
    )
    # The branch the relationship is in when registered (the record's 组织关系所在).
    org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name="所在党支部"
    )
    reason = models.CharField("外出原因", max_length=16, choices=Reason.choices)
    occupation_code = models.CharField("原职业", max_length=16, blank=True)
    direction = models.CharField("流向", max_length=16, choices=Direction.choices)
    destination_code = models.CharField("流入地代码", max_length=6, blank=True)
    destination = models.CharField("流入地", max_length=100)
    place = models.CharField("工作单位或住址", max_length=200, blank=True)
    # The county of the city the member goes to, when it is another county on this
    # platform (its FlowNotice is then in public); blank otherwise.
    target_schema = models.CharField(max_length=64, blank=True)
    starts_on = models.DateField("外出日期")
    ends_on = models.DateField("预计返回日期")
    contact = EncryptedTextField("外出期间联系方式")
    paper = models.CharField("证明", max_length=16, choices=Paper.choices)
    dues_place = models.CharField(
        "党费交纳", max_length=16, choices=DuesPlace.choices, default=DuesPlace.HOME
    )
    card_serial = models.CharField("活动证编号", max_length=32, blank=True)
    card_token = models.CharField(max_length=43, blank=True)
    card_issued_on = models.DateField("发证日期", null=True, blank=True)
    card_returned_on = models.DateField("交回日期", null=True, blank=True)
    group = models.ForeignKey(
        FlowingGroup, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="outflows", verbose_name="流动党员党组织",
    )  # fmt: skip
    state = models.CharField(
        "状态", max_length=16, choices=OutflowState.choices, default=OutflowState.ACTIVE
    )
    returned_on = models.DateField("返回日期", null=True, blank=True)
    note = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(org="org", own="member", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = "外出流动登记"
        verbose_name_plural = "外出流动登记"
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(state="active"),
                name="flowing_one_active_outflow",
            ),
            models.UniqueConstraint(
                fields=["card_serial"], condition=~Q(card_serial=""), name="flowing_card_serial"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.destination}"


class ContactLog(models.Model):
    """One contact with a member away or out of contact (联系记录)."""

    class Kind(models.TextChoices):
        REPORT = "report", "本人报告"
        REACHED = "reached", "党组织联系上"
        SEARCH = "search", "查找未果"

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="contacts", verbose_name="党员"
    )
    outflow = models.ForeignKey(
        Outflow, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    on = models.DateField("日期")
    way = models.CharField("方式", max_length=50)
    note = models.TextField("情况")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(org="member__org", own="member", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = "联系记录"
        verbose_name_plural = "联系记录"
        indexes = [models.Index(fields=["member", "-on"])]

    def __str__(self) -> str:
        return f"{self.member} {self.on} {self.get_kind_display()}"


class Inflow(models.Model):
    """A member of another county of the city flowing into this one (流入党员), as this
    county keeps them: the notice's id, the person (from the sealed payload, re-encrypted
    with this county's key) and the branch that takes them in."""

    class State(models.TextChoices):
        NEW = "new", "待安排"
        PLACED = "placed", "已安排"
        ENDED = "ended", "已离开"

    notice_id = models.UUIDField(unique=True)
    source_schema = models.CharField(max_length=64)
    name = models.CharField("姓名", max_length=32)
    sex = models.CharField("性别", max_length=8, blank=True)
    category = models.CharField("人员类别", max_length=16, blank=True)
    phone = EncryptedTextField("联系方式", blank=True)
    from_name = models.CharField("原党组织", max_length=200)
    card_serial = models.CharField("活动证编号", max_length=32, blank=True)
    starts_on = models.DateField("外出日期")
    ends_on = models.DateField("预计返回日期")
    dues_here = models.BooleanField("在本地交纳党费", default=False)
    dues_paid_through = models.DateField("党费交至", null=True, blank=True)
    org = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="参加组织生活的党组织",
    )  # fmt: skip
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.NEW)
    updated_at = models.DateTimeField(auto_now=True)

    # Until a branch is assigned, only those over the whole county (the root) see it.
    scope_fields = ScopeFields(org="org", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["state", "-starts_on", "id"]
        verbose_name = "流入党员"
        verbose_name_plural = "流入党员"

    def __str__(self) -> str:
        return self.name
