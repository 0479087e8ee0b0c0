"""Party dues records of a county (党费收缴), domain-rules.md §2.

- ``DuesBase``: a member's category and base (党费基数) from a month on; the base in
  force for a month is the latest one whose ``from_month`` is not after it.
- ``DuesAccount``: when a member starts paying (probationary members: the 支部大会 date)
  and whether they pay quarterly (only where the branch's ``BranchDuesPolicy`` allows).
- ``DuesReduction``: hardship reduction or exemption (减免), decided by the branch and
  approved by the committee above; only approved ones change a bill.
- ``DuesBill``: one member-month (应交), with its payment once paid.
- ``DuesPayment``: one payment of one or more bills, online (an order number registered
  in public) or offline (cash, bank transfer, with a receipt number), plus any voluntary
  extra (自愿多交).
- ``PaymentNotice``: every gateway callback received, raw body encrypted.
- ``ArrearsFlag``: six (configurable) consecutive unpaid months shown to the branch; it
  never changes the member's status.
- ``ReconciliationRun`` / ``ReconciliationMismatch``: the daily comparison with the
  gateway's bill file.

Money is integer 分 everywhere.

Every record here is read through ``visible_to(scope)``: the rows of the subtrees where
the user's posts carry dues.manage (党费收缴), and the member's own.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from tenants.access.permissions import Perm
from tenants.access.querysets import ScopedQuerySet, ScopeFields
from tenants.members.models import Member
from tenants.orgs.models import Organization
from zhdj.audit import audited
from zhdj.pii.fields import EncryptedTextField

MANAGE = Perm.DUES_MANAGE


class Channel(models.TextChoices):
    ALIPAY = "alipay", "支付宝"
    WECHAT = "wechat", "微信支付"
    UNIONPAY = "unionpay", "银联云闪付"
    CASH = "cash", "现金"
    BANK_TRANSFER = "bank_transfer", "银行转账"


ONLINE_CHANNELS = (Channel.ALIPAY, Channel.WECHAT, Channel.UNIONPAY)
OFFLINE_CHANNELS = (Channel.CASH, Channel.BANK_TRANSFER)


@audited
class BranchDuesPolicy(models.Model):
    """A branch's dues practice (支部党费收缴约定): quarterly payment needs its consent."""

    org = models.OneToOneField(Organization, on_delete=models.PROTECT, related_name="dues_policy")
    quarterly_allowed = models.BooleanField("允许按季度交纳", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    scope_fields = ScopeFields(org="org", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "支部党费约定"
        verbose_name_plural = "支部党费约定"

    def __str__(self) -> str:
        return f"{self.org} 按季度={self.quarterly_allowed}"


@audited
class DuesAccount(models.Model):
    """A member's dues account (党费账户)."""

    member = models.OneToOneField(Member, on_delete=models.PROTECT, related_name="dues_account")
    pays_from = models.DateField("起交日期", help_text="预备党员为支部大会通过之日")
    quarterly = models.BooleanField("按季度交纳", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    scope_fields = ScopeFields(org="member__org", own="member", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "党费账户"
        verbose_name_plural = "党费账户"

    def __str__(self) -> str:
        return f"{self.member} 自 {self.pays_from}"


@audited
class DuesBase(models.Model):
    """A member's category and base from a month on (党费基数)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_bases")
    category_code = models.CharField("缴纳类别", max_length=32)
    base_fen = models.BigIntegerField("基数（分）", default=0)
    from_month = models.DateField("起用月份")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(org="member__org", own="member", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["member_id", "-from_month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "from_month"], name="dues_base_member_month"),
            models.CheckConstraint(condition=Q(base_fen__gte=0), name="dues_base_nonneg"),
        ]
        verbose_name = "党费基数"
        verbose_name_plural = "党费基数"

    def __str__(self) -> str:
        return f"{self.member} {self.from_month:%Y-%m} {self.base_fen}"


@audited
class DuesReduction(models.Model):
    """Hardship reduction or exemption (困难减免): branch decision, committee approval."""

    class Kind(models.TextChoices):
        REDUCE = "reduce", "减交"
        EXEMPT = "exempt", "免交"

    class Status(models.TextChoices):
        PENDING = "pending", "待党委审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_reductions")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    monthly_fen = models.BigIntegerField("减交后每月金额（分）", default=0)
    from_month = models.DateField("起始月份")
    to_month = models.DateField("截止月份")
    # Encrypted at rest: the hardship behind a reduction is sensitive personal data.
    reason = EncryptedTextField("原因", max_length=200)
    branch_decided_on = models.DateField("支部决定日期")
    branch_decision = models.CharField("支部决定（会议记录）", max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    approved_on = models.DateField("党委审批日期", null=True, blank=True)
    approval_note = EncryptedTextField("审批意见", max_length=200, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(org="member__org", own="member", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-from_month", "-id"]
        verbose_name = "党费减免"
        verbose_name_plural = "党费减免"

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()} {self.from_month:%Y-%m}"


@audited
class DuesPayment(models.Model):
    """One payment (党费交纳记录) of one or more bills plus any voluntary extra."""

    class Status(models.TextChoices):
        PENDING = "pending", "待支付"
        PAID = "paid", "已支付"
        CLOSED = "closed", "已关闭"

    order_no = models.CharField("订单号", max_length=40, unique=True)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_payments")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("方式", max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    bills_fen = models.BigIntegerField("应交部分（分）")
    voluntary_fen = models.BigIntegerField("自愿多交（分）", default=0)
    amount_fen = models.BigIntegerField("金额（分）")
    bill_months = models.JSONField("所交月份", default=list)
    provider_txn_id = models.CharField(
        "支付平台交易号", max_length=64, null=True, blank=True, unique=True
    )
    receipt_no = models.CharField("收据号", max_length=40, blank=True)
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(org="org", own="member", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fen=models.F("bills_fen") + models.F("voluntary_fen")),
                name="dues_payment_amount_sum",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="dues_payment_positive"),
        ]
        indexes = [models.Index(fields=["status", "paid_at"])]
        verbose_name = "党费交纳"
        verbose_name_plural = "党费交纳"

    def __str__(self) -> str:
        return f"{self.order_no} {self.amount_fen}"


# Bills are made in bulk by the monthly job from audited bases, accounts and reductions,
# so their creation is derivable; an insert trigger per bill tripled billing time
# (bench/dues.py: 73 s → 19 s for 50,000 bills). Changes and deletions are tracked.
@pghistory.track(pghistory.UpdateEvent(), pghistory.DeleteEvent(), append_only=True)
class DuesBill(models.Model):
    """What a member owes for one month (月度党费账单)."""

    class Status(models.TextChoices):
        UNPAID = "unpaid", "未交"
        PAID = "paid", "已交"
        EXEMPT = "exempt", "免交"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_bills")
    org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name="所在支部"
    )
    month = models.DateField("月份")
    category_code = models.CharField("缴纳类别", max_length=32)
    base_fen = models.BigIntegerField("基数（分）")
    rate_bp = models.PositiveIntegerField("比例（万分之）", default=0)
    standard_fen = models.BigIntegerField("标准金额（分）")
    amount_fen = models.BigIntegerField("应交金额（分）")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.UNPAID)
    payment = models.ForeignKey(
        DuesPayment, null=True, blank=True, on_delete=models.PROTECT, related_name="bills"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(org="org", own="member", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["member_id", "month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_bill_member_month"),
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="dues_bill_nonneg"),
        ]
        indexes = [
            models.Index(fields=["org", "month", "status"]),
            models.Index(fields=["month", "status"]),
        ]
        verbose_name = "党费账单"
        verbose_name_plural = "党费账单"

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m} {self.amount_fen}"


class PaymentNotice(models.Model):
    """A gateway callback as received (支付通知), kept encrypted with the county key."""

    channel = models.CharField(max_length=16, choices=Channel.choices)
    notify_id = models.CharField("通知标识", max_length=96)
    order_no = models.CharField(max_length=40, db_index=True)
    outcome = models.CharField("处理结果", max_length=32)
    detail = models.CharField(max_length=200, blank=True)
    raw = EncryptedTextField("原始通知")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "notify_id"], name="dues_notice_once")
        ]
        verbose_name = "支付通知"
        verbose_name_plural = "支付通知"

    def __str__(self) -> str:
        return f"{self.channel} {self.order_no} {self.outcome}"


@audited
class ArrearsFlag(models.Model):
    """Consecutive unpaid months reported to the branch (连续未交党费提示)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="arrears_flags")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    first_unpaid_month = models.DateField("最早未交月份")
    unpaid_months = models.PositiveSmallIntegerField("连续未交月数")
    raised_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    scope_fields = ScopeFields(org="org", own="member", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(resolved_at__isnull=True), name="dues_one_open_flag"
            )
        ]
        verbose_name = "连续未交党费提示"
        verbose_name_plural = "连续未交党费提示"

    def __str__(self) -> str:
        return f"{self.member} {self.unpaid_months} 个月"


class ReconciliationRun(models.Model):
    """One day's comparison with one gateway's bill file (对账)."""

    channel = models.CharField(max_length=16, choices=Channel.choices)
    day = models.DateField("对账日期")
    gateway_rows = models.PositiveIntegerField(default=0)
    our_rows = models.PositiveIntegerField(default=0)
    mismatches = models.PositiveIntegerField(default=0)
    ran_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "day"], name="dues_recon_channel_day")
        ]
        verbose_name = "对账记录"
        verbose_name_plural = "对账记录"

    def __str__(self) -> str:
        return f"{self.channel} {self.day} {self.mismatches}"


class ReconciliationMismatch(models.Model):
    """One difference between the gateway's bill file and our records (对账差异)."""

    class Kind(models.TextChoices):
        MISSING_OURS = "missing_ours", "平台有、本系统无到账"
        MISSING_GATEWAY = "missing_gateway", "本系统已到账、平台无记录"
        AMOUNT = "amount", "金额不一致"
        CALLBACK_AMOUNT = "callback_amount", "通知金额与订单不符"

    run = models.ForeignKey(
        ReconciliationRun, null=True, blank=True, on_delete=models.CASCADE, related_name="items"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    order_no = models.CharField(max_length=40)
    ours_fen = models.BigIntegerField(null=True, blank=True)
    gateway_fen = models.BigIntegerField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "对账差异"
        verbose_name_plural = "对账差异"

    def __str__(self) -> str:
        return f"{self.order_no} {self.get_kind_display()}"
