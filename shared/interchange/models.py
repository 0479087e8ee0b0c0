"""Interchange between counties (跨区县交换), in the public schema.

- ``TransferEnvelope`` carries a transfer (组织关系转接, domain-rules §3) from one county's
  schema to another's. Its personal data travels only in ``payload``, sealed with the
  interchange key (``shared.interchange.sealing``); the clear columns hold no more than a
  masked name and organization names, which the receiving inbox lists.
- ``LetterRecord`` is the public trace of an introduction letter or a 流动党员活动证 for
  the QR verification page: serial, masked name, validity and state, nothing else.
- ``FlowNotice`` tells a county of the city that a member of another county is flowing
  in (流入党员, domain-rules §8): the home county writes it, the destination county
  reads the notices addressed to it and writes back only the branch it assigned and the
  dues it took. Personal data travels sealed in ``payload``, as in an envelope.

No foreign key points into a tenant schema: tenants are named by schema, rows by id.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.db import models
from django.db.models import Q


class TransferEnvelope(models.Model):
    """A transfer on its way from one county to another (转接信封)."""

    class State(models.TextChoices):
        SENT = "sent", "待接收"
        # Accepting is three transactions, each in one county's schema (the receiving
        # county claims it, the sending county closes its side and seals the member's data,
        # the receiving county creates the member): ``tenants/transfers/services/crosscounty``.
        ACCEPTING = "accepting", "接收中"
        RELEASED = "released", "转入中"
        ACCEPTED = "accepted", "已接收"
        RETURNED = "returned", "已退回"
        WITHDRAWN = "withdrawn", "已撤回"
        EXPIRED = "expired", "已过期"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source_schema = models.CharField("转出区县", max_length=64)
    source_transfer_id = models.BigIntegerField()
    target_schema = models.CharField("接收区县", max_length=64, db_index=True)
    target_org_id = models.BigIntegerField("接收党组织编号", null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.SENT)
    masked_name = models.CharField("姓名（脱敏）", max_length=32)
    from_name = models.CharField("转出党组织", max_length=200)
    to_name = models.CharField("接收党组织", max_length=200)
    payload = models.TextField()  # sealed JSON (sealing.seal), never clear personal data
    sent_at = models.DateTimeField(auto_now_add=True)
    # Last day the receiving county may accept (the sending county's
    # ``transfers.letter_validity_days_city``); null only for envelopes sent before it.
    valid_until = models.DateField("有效期至", null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=64, blank=True)
    return_reason = models.CharField(max_length=200, blank=True)
    # Set when the receiving county claims it: the organization chosen and the user who
    # chose it, both ids in the receiving schema (not FKs).
    accepting_org_id = models.BigIntegerField(null=True, blank=True)
    accepting_user_id = models.BigIntegerField(null=True, blank=True)
    released_at = models.DateTimeField("转出方办结时间", null=True, blank=True)
    # Set on acceptance: the member's id in the receiving schema (for support, not a FK).
    accepted_member_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = "转接信封"
        verbose_name_plural = "转接信封"
        constraints = [
            models.UniqueConstraint(
                fields=["source_schema", "source_transfer_id"], name="one_envelope_per_transfer"
            ),
            models.CheckConstraint(
                condition=~Q(source_schema=models.F("target_schema")),
                name="envelope_between_two_counties",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_schema}→{self.target_schema} {self.masked_name}"

    def is_past_validity(self, today: date) -> bool:
        """Sent but no longer acceptable: the validity ran out (the beat marks it later)."""
        return (
            self.state == self.State.SENT
            and self.valid_until is not None
            and today > self.valid_until
        )


class LetterRecord(models.Model):
    """What the public verification page may show of a letter (介绍信核验) or of a
    flowing member's card (活动证核验)."""

    class Kind(models.TextChoices):
        LETTER = "letter", "组织关系介绍信"
        CARD = "card", "流动党员活动证"

    class State(models.TextChoices):
        ISSUED = "issued", "有效，待接收"
        RECEIVED = "received", "已接收（回执已返回）"
        VOID = "void", "已作废"

    token = models.CharField(max_length=43, unique=True)
    kind = models.CharField(
        "种类", max_length=8, choices=Kind.choices, default=Kind.LETTER, db_default=Kind.LETTER
    )
    serial = models.CharField("编号", max_length=32)
    issuer_schema = models.CharField(max_length=64)
    issuer_name = models.CharField("开具党组织", max_length=200)
    to_name = models.CharField("接收党组织", max_length=200)
    masked_name = models.CharField("姓名（脱敏）", max_length=32)
    issued_on = models.DateField("开具日期")
    valid_until = models.DateField("有效期至")
    state = models.CharField(max_length=16, choices=State.choices, default=State.ISSUED)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "介绍信核验记录"
        verbose_name_plural = "介绍信核验记录"
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_schema", "serial"], name="one_record_per_letter"
            )
        ]

    def __str__(self) -> str:
        return self.serial


class FlowNotice(models.Model):
    """A member flowing from one county of the city into another (流入通知)."""

    class State(models.TextChoices):
        ACTIVE = "active", "流入中"
        ENDED = "ended", "已结束"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source_schema = models.CharField("流出区县", max_length=64)
    source_outflow_id = models.BigIntegerField()
    target_schema = models.CharField("流入区县", max_length=64, db_index=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.ACTIVE)
    masked_name = models.CharField("姓名（脱敏）", max_length=32)
    from_name = models.CharField("原党组织", max_length=200)
    destination = models.CharField("流入地", max_length=200)
    starts_on = models.DateField("外出日期")
    ends_on = models.DateField("预计返回日期")
    card_serial = models.CharField("活动证编号", max_length=32, blank=True)
    # The member pays dues at the destination (card holders only, by the home branch's
    # decision); the home county then bills nothing for the months of the flow.
    dues_at_destination = models.BooleanField("在流入地交纳党费", default=False)
    payload = models.TextField()  # sealed JSON: name, sex, phone, category, joined_at
    # Written by the destination county only.
    target_org_id = models.BigIntegerField("流入地党组织编号", null=True, blank=True)
    target_org_name = models.CharField("流入地党组织", max_length=200, blank=True)
    dues_paid_through = models.DateField("流入地党费交至", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "流入通知"
        verbose_name_plural = "流入通知"
        constraints = [
            models.UniqueConstraint(
                fields=["source_schema", "source_outflow_id"], name="one_notice_per_outflow"
            ),
            models.CheckConstraint(
                condition=~Q(source_schema=models.F("target_schema")),
                name="notice_between_two_counties",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_schema}→{self.target_schema} {self.masked_name}"
