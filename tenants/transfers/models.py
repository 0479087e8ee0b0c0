"""Organization relationship transfers (组织关系转接), in the county's schema.

Implements domain-rules §3: transfers within the county, to another county of the city
(through a public ``interchange.TransferEnvelope``), out of the city with the three-part
introduction letter (存根 / 介绍信 / 回执), incoming paper letters, 党员证明信 for short
stays and 组织关系保留 for graduates. Every state change is one ``TransferAction`` row;
the models are audited (append-only trigger history).
"""

from __future__ import annotations

import uuid

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from tenants.access.permissions import Perm
from tenants.access.querysets import ScopedQuerySet, ScopeFields, scope_q
from tenants.members.models import Member
from tenants.orgs.models import Organization
from zhdj.audit import audited
from zhdj.pii.fields import EncryptedTextField


class Kind(models.TextChoices):
    WITHIN = "within", "县内转接"
    COUNTY_OUT = "county_out", "转往市内其他区县"
    CITY_OUT = "city_out", "转出本市"
    COUNTY_IN = "county_in", "市内其他区县转入"
    PAPER_IN = "paper_in", "外地纸质介绍信转入"


class State(models.TextChoices):
    PENDING_BRANCH = "pending_branch", "待转出支部审核"
    PENDING_COMMITTEE = "pending_committee", "待转出党委审批"
    PENDING_RECEIVER = "pending_receiver", "待接收党委接收"
    PENDING_RECEIVER_BRANCH = "pending_receiver_branch", "待接收支部接收"
    AWAITING_RECEIPT = "awaiting_receipt", "介绍信已开具，待回执"
    COMPLETED = "completed", "已完成"
    RETURNED = "returned", "已退回"
    WITHDRAWN = "withdrawn", "已撤回"
    # The envelope was not accepted within its validity; the sending committee may resend.
    EXPIRED = "expired", "逾期未接收"


OPEN_STATES = frozenset(
    {
        State.PENDING_BRANCH,
        State.PENDING_COMMITTEE,
        State.PENDING_RECEIVER,
        State.PENDING_RECEIVER_BRANCH,
        State.AWAITING_RECEIPT,
    }
)


# Who handles transfers: the posts carrying transfers.manage over the organization, and
# the member for their own (domain-rules §3).
MANAGE = Perm.TRANSFERS_MANAGE


class TransferQuerySet(ScopedQuerySet):
    """A transfer is seen from both ends: out of (``from_org``) or into (``to_org``) the
    subtrees where the user's posts carry the permission, and the member's own."""

    def visible_to(self, scope, permission=None):  # type: ignore[no-untyped-def]
        if scope.is_admin:
            return self
        fields = self.model.scope_fields
        q = scope_q(self.model, fields, scope, permission)
        q |= scope_q(
            self.model, ScopeFields(org="to_org", permission=fields.permission), scope, permission
        )
        return self.filter(q)


@audited
class Transfer(models.Model):
    """One transfer of a member's organization relationship (组织关系转接)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    state = models.CharField("状态", max_length=32, choices=State.choices)
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="transfers", verbose_name="党员"
    )
    from_org = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name="转出党组织",
    )
    to_org = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
        verbose_name="接收党组织",
    )
    # Another county (COUNTY_OUT: where to; COUNTY_IN: where from).
    other_schema = models.CharField("对方区县", max_length=64, blank=True)
    other_org_id = models.BigIntegerField("对方党组织编号", null=True, blank=True)
    # Names as written on letters (the other side is not a row of this schema).
    from_name = models.CharField("转出单位", max_length=200, blank=True)
    to_name = models.CharField("接收单位", max_length=200, blank=True)
    reason = models.CharField("转接原因", max_length=200)
    dues_paid_until = models.DateField("党费交至", null=True, blank=True)
    # The envelope that carried a cross-county transfer; unique: imported exactly once.
    envelope_id = models.UUIDField("转接信封", null=True, blank=True, unique=True)
    letter_serial = models.CharField("介绍信编号", max_length=64, blank=True)
    return_reason = models.CharField("退回原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)

    scope_fields = ScopeFields(org="from_org", own="member", permission=MANAGE)
    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        constraints = [
            # A member has at most one transfer under way (the record of a finished one stays).
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(
                    state__in=[
                        "pending_branch",
                        "pending_committee",
                        "pending_receiver",
                        "pending_receiver_branch",
                        "awaiting_receipt",
                    ]
                ),
                name="one_open_transfer_per_member",
            )
        ]
        indexes = [models.Index(fields=["state", "kind"])]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()} {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class TransferAction(models.Model):
    """One step of a transfer (办理记录): who did what, when, with which note."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "提交申请"
        APPROVE = "approve", "同意"
        RETURN = "return", "退回"
        WITHDRAW = "withdraw", "撤回"
        SEND = "send", "发往接收区县"
        ACCEPT = "accept", "接收"
        ISSUE_LETTER = "issue_letter", "开具介绍信"
        RECEIPT = "receipt", "登记回执"
        REGISTER = "register", "登记转入"
        EXPIRE = "expire", "逾期未接收"
        RESEND = "resend", "重新发出"

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="actions")
    action = models.CharField(max_length=16, choices=Action.choices)
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32)
    note = models.CharField("说明", max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        # The history of a transfer is append-only, enforced by the database.
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]
        verbose_name = "转接办理记录"
        verbose_name_plural = "转接办理记录"

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.get_action_display()}"


@audited
class Letter(models.Model):
    """The introduction letter (组织关系介绍信, 组通字〔2006〕45号), with its stub and receipt.

    The fields are a snapshot at issue time: the letter says what it said on paper.
    """

    transfer = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="letter")
    serial = models.CharField("编号", max_length=32, unique=True)
    token = models.CharField(max_length=43, unique=True, editable=False)  # public QR key
    name = models.CharField("姓名", max_length=32)
    sex = models.CharField("性别", max_length=8)
    age = models.PositiveSmallIntegerField("年龄")
    ethnicity = models.CharField("民族", max_length=32)
    category = models.CharField("正式/预备党员", max_length=16)
    id_number = EncryptedTextField("公民身份号码")
    phone = EncryptedTextField("党员联系电话", blank=True)
    from_name = models.CharField("由", max_length=200)
    to_name = models.CharField("接收党组织", max_length=200)
    dues_paid_until = models.DateField("党费交至")
    validity_days = models.PositiveSmallIntegerField("有效期（天）")
    issued_on = models.DateField("开具日期")
    valid_until = models.DateField("有效期至")
    sender_address = models.CharField("党委通讯地址", max_length=200)
    sender_phone = models.CharField("党委联系电话", max_length=32)
    sender_fax = models.CharField("传真", max_length=32, blank=True)
    sender_postcode = models.CharField("邮编", max_length=6)
    receipt_on = models.DateField("回执日期", null=True, blank=True)
    receipt_org = models.CharField("回执单位", max_length=200, blank=True)
    reminded_on = models.DateField("催办日期", null=True, blank=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = "组织关系介绍信"
        verbose_name_plural = "组织关系介绍信"

    def __str__(self) -> str:
        return self.serial


@audited
class ProofLetter(models.Model):
    """党员证明信: a stay away of under six months; the member keeps voting at home."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="proof_letters")
    serial = models.CharField("编号", max_length=32, unique=True)
    destination = models.CharField("前往地点或单位", max_length=200)
    reason = models.CharField("事由", max_length=200)
    months = models.PositiveSmallIntegerField("外出时间（月）")
    issued_on = models.DateField("开具日期")
    valid_until = models.DateField("有效期至")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_fields = ScopeFields(org="member__org", own="member", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = "党员证明信"
        verbose_name_plural = "党员证明信"

    def __str__(self) -> str:
        return self.serial


@audited
class Retention(models.Model):
    """组织关系保留: a graduate's relationship kept at the school for at most two years."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="retentions")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("保留原因", max_length=200)
    started_on = models.DateField("保留开始")
    ends_on = models.DateField("保留期满")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    reminded_on = models.DateField("提醒日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_fields = ScopeFields(org="member__org", own="member", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["ends_on", "id"]
        verbose_name = "组织关系保留"
        verbose_name_plural = "组织关系保留"
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(ended_on__isnull=True),
                name="one_active_retention_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.started_on}–{self.ends_on}"
