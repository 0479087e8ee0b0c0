"""Letters and related cases (domain-rules §3).

- 组织关系介绍信 (out of the city): issued by the sending committee with every field of the
  three-part letter, validity in days from ``transfers.letter_validity_days_*`` (at most
  90), published to the public verification registry; the receipt (回执) is registered
  when it comes back, which completes the transfer (已转出).
- Incoming paper letters: the county registers the member; an expired letter is refused.
- 党员证明信 for stays under ``transfers.proof_letter_max_months`` months.
- 组织关系保留 for graduates, at most ``transfers.retention_max_months`` months.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from shared.accounts.models import User
from shared.accounts.services import user_deactivate
from shared.interchange.models import LetterRecord
from shared.interchange.services import letter_record_publish, letter_record_set_state
from shared.standards.selectors import code_name
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.members.models import Member, StatusAction
from tenants.members.services import member_change_status, member_create, member_relocate
from tenants.members.validation import MemberData
from tenants.rules.selectors import rule_value
from tenants.transfers.models import Kind, Letter, ProofLetter, Retention, State, Transfer
from tenants.transfers.models import TransferAction as TA
from tenants.transfers.services.common import (
    SYSTEM_SCOPE,
    advance,
    check_receivable,
    committee_of,
    lock,
    mark_dirty,
    may_act_as_committee,
    month_start,
    record,
)
from zhdj.dates import add_months
from zhdj.errors import ApplicationError
from zhdj.pii.idnumber import age_on
from zhdj.pii.masking import mask_name

POSTCODE_LEN = 6


@dataclass(frozen=True)
class LetterData:
    validity_days: int
    sender_address: str
    sender_phone: str
    sender_postcode: str
    sender_fax: str = ""
    dues_paid_until: date | None = None


def _serial(prefix: str, pk: int, year: int) -> str:
    from shared.customers.models import Tenant

    region = (
        Tenant.objects.filter(schema_name=connection.schema_name)
        .values_list("region_code", flat=True)
        .first()
    ) or connection.schema_name[:6].upper()
    return f"{prefix}{region}-{year}-{pk:06d}"


def _check_letter(data: LetterData, *, max_days: int) -> None:
    if not 1 <= data.validity_days <= max_days:
        raise ApplicationError(f"有效期应为 1–{max_days} 天。", field="validity_days")
    if not data.sender_address.strip():
        raise ApplicationError("请填写党委通讯地址。", field="sender_address")
    if not data.sender_phone.strip():
        raise ApplicationError("请填写党委联系电话。", field="sender_phone")
    code = data.sender_postcode.strip()
    if len(code) != POSTCODE_LEN or not code.isdigit():
        raise ApplicationError("邮编应为 6 位数字。", field="sender_postcode")


@transaction.atomic
def letter_issue(*, scope: Scope, actor: User, transfer: Transfer, data: LetterData) -> Letter:
    """The sending committee issues the introduction letter (开具介绍信)."""
    transfer = lock(transfer.pk)
    if transfer.kind != Kind.CITY_OUT or transfer.state != State.PENDING_COMMITTEE:
        raise ApplicationError("只有待党委审批的转出本市申请可以开具介绍信。")
    if not may_act_as_committee(scope, transfer.from_org):
        raise ApplicationError("介绍信须由转出党员所在的基层党委开具。")
    _check_letter(data, max_days=90)
    paid = month_start(data.dues_paid_until) or transfer.dues_paid_until
    if paid is None:
        raise ApplicationError("请填写党费交至年月。", field="dues_paid_until")
    member = transfer.member
    today = timezone.localdate()
    letter = Letter(
        transfer=transfer,
        serial=f"tmp-{secrets.token_hex(8)}",
        token=secrets.token_urlsafe(32),
        name=member.name,
        sex=member.get_sex_display(),
        age=age_on(member.birth_date, today),
        ethnicity=code_name("ethnicity", member.ethnicity_code) or member.ethnicity_code,
        category="正式党员" if member.category_code == "full" else "预备党员",
        id_number=member.id_number,
        phone=member.phone,
        from_name=committee_of(transfer.from_org).name + " " + transfer.from_name,
        to_name=transfer.to_name,
        dues_paid_until=paid,
        validity_days=data.validity_days,
        issued_on=today,
        valid_until=today + timedelta(days=data.validity_days),
        sender_address=data.sender_address.strip(),
        sender_phone=data.sender_phone.strip(),
        sender_fax=data.sender_fax.strip(),
        sender_postcode=data.sender_postcode.strip(),
    )
    letter.save()
    letter.serial = _serial("ZJ", letter.pk, today.year)
    letter.save(update_fields=["serial"])
    advance(
        transfer,
        expected=State.PENDING_COMMITTEE,
        to=State.AWAITING_RECEIPT,
        letter_serial=letter.serial,
        dues_paid_until=paid,
    )
    record(
        transfer,
        action=TA.Action.ISSUE_LETTER,
        from_state=State.PENDING_COMMITTEE,
        actor=actor,
        note=letter.serial,
    )
    letter_record_publish(
        token=letter.token,
        serial=letter.serial,
        issuer_schema=connection.schema_name,
        issuer_name=committee_of(transfer.from_org).name,
        to_name=letter.to_name,
        masked_name=mask_name(member.name),
        issued_on=letter.issued_on,
        valid_until=letter.valid_until,
    )
    mark_dirty()
    return letter


@transaction.atomic
def letter_receipt_register(
    *, scope: Scope, actor: User, letter: Letter, received_on: date, receipt_org: str
) -> Letter:
    """The receipt came back (回执): the member has left; the transfer is complete."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    transfer = lock(letter.transfer_id)
    if not may_act_as_committee(scope, transfer.from_org):
        raise ApplicationError("回执须由开具介绍信的党委登记。")
    if letter.receipt_on is not None:
        raise ApplicationError("该介绍信的回执已登记。", field="received_on")
    if received_on < letter.issued_on or received_on > timezone.localdate():
        raise ApplicationError("回执日期应在开具日期与今天之间。", field="received_on")
    receipt_org = (receipt_org or "").strip() or letter.to_name
    letter.receipt_on, letter.receipt_org = received_on, receipt_org[:200]
    letter.save(update_fields=["receipt_on", "receipt_org"])
    advance(transfer, expected=State.AWAITING_RECEIPT, to=State.COMPLETED)
    record(
        transfer,
        action=TA.Action.RECEIPT,
        from_state=State.AWAITING_RECEIPT,
        actor=actor,
        note=receipt_org,
    )
    member = transfer.member
    member_relocate(member=member, org=None, ended_at=received_on)
    member_change_status(
        scope=SYSTEM_SCOPE,
        member=member,
        action=StatusAction.TRANSFER_OUT,
        effective_date=received_on,
        reason=f"组织关系转至{letter.to_name}（介绍信{letter.serial}）",
        actor=actor,
    )
    if member.user is not None:
        user_deactivate(user=member.user)
    letter_record_set_state(
        issuer_schema=connection.schema_name,
        serial=letter.serial,
        state=LetterRecord.State.RECEIVED,
    )
    mark_dirty()
    return letter


def receipt_deadline(letter: Letter) -> date:
    return letter.issued_on + timedelta(days=rule_value("transfers.receipt_deadline_days"))


@transaction.atomic
def paper_letter_register(
    *,
    scope: Scope,
    actor: User,
    data: MemberData,
    letter_serial: str,
    from_name: str,
    issued_on: date,
    validity_days: int,
    dues_paid_until: date | None,
) -> Transfer:
    """Register a member who arrives with a paper letter from outside the city (转入登记)."""
    check_receivable(data.org, field="org")
    if not scope.can(Perm.TRANSFERS_MANAGE, committee_of(data.org)):
        raise ApplicationError("转入登记须由接收党组织所在的基层党委办理。", field="org")
    if not (letter_serial or "").strip():
        raise ApplicationError("请填写介绍信编号。", field="letter_serial")
    if not (from_name or "").strip():
        raise ApplicationError("请填写转出党组织。", field="from_name")
    today = timezone.localdate()
    if validity_days < 1 or issued_on > today:
        raise ApplicationError("介绍信开具日期或有效期不正确。", field="issued_on")
    if issued_on + timedelta(days=validity_days) < today:
        raise ApplicationError(
            "介绍信已过有效期，请党员回原党组织重新开具。", field="validity_days"
        )
    member = member_create(scope=scope, data=data)
    transfer = Transfer.objects.create(
        kind=Kind.PAPER_IN,
        state=State.COMPLETED,
        member=member,
        to_org=data.org,
        from_name=from_name.strip()[:200],
        to_name=data.org.name,
        reason="持介绍信转入",
        letter_serial=letter_serial.strip()[:64],
        dues_paid_until=month_start(dues_paid_until),
        created_by=actor,
        completed_at=timezone.now(),
    )
    record(transfer, action=TA.Action.REGISTER, from_state="", actor=actor, note=letter_serial)
    mark_dirty()
    return transfer


@transaction.atomic
def proof_letter_issue(
    *, scope: Scope, actor: User, member: Member, destination: str, reason: str, months: int
) -> ProofLetter:
    """党员证明信 for a stay of fewer than the configured months (default 6)."""
    scope.require(Perm.TRANSFERS_MANAGE, member.org, message="无权为该党员开具证明信。")
    if member.party_status_code != "normal":
        raise ApplicationError("只有党籍状态正常的党员可以开具证明信。", field="member")
    limit = rule_value("transfers.proof_letter_max_months")
    if not 1 <= months < limit:
        raise ApplicationError(
            f"外出不足 {limit} 个月才开具证明信；{limit} 个月以上应转移组织关系。", field="months"
        )
    if not (destination or "").strip():
        raise ApplicationError("请填写前往地点或单位。", field="destination")
    if not (reason or "").strip():
        raise ApplicationError("请填写事由。", field="reason")
    today = timezone.localdate()
    proof = ProofLetter.objects.create(
        member=member,
        serial=f"tmp-{secrets.token_hex(8)}",
        destination=destination.strip()[:200],
        reason=reason.strip()[:200],
        months=months,
        issued_on=today,
        valid_until=add_months(today, months),
        created_by=actor,
    )
    proof.serial = _serial("ZM", proof.pk, today.year)
    proof.save(update_fields=["serial"])
    return proof


@transaction.atomic
def retention_start(
    *, scope: Scope, actor: User, member: Member, reason: str, started_on: date, months: int
) -> Retention:
    """组织关系保留 for a graduate without a work unit yet (at most 24 months)."""
    scope.require(Perm.TRANSFERS_MANAGE, member.org, message="无权为该党员办理组织关系保留。")
    if member.party_status_code != "normal":
        raise ApplicationError("只有党籍状态正常的党员可以保留组织关系。", field="member")
    limit = rule_value("transfers.retention_max_months")
    if not 1 <= months <= limit:
        raise ApplicationError(f"保留期限为 1–{limit} 个月。", field="months")
    if not (reason or "").strip():
        raise ApplicationError("请填写保留原因。", field="reason")
    if Retention.objects.filter(member=member, ended_on__isnull=True).exists():
        raise ApplicationError("该党员已有正在保留的组织关系。", field="member")
    retention = Retention.objects.create(
        member=member,
        org=member.org,
        reason=reason.strip()[:200],
        started_on=started_on,
        ends_on=add_months(started_on, months),
        created_by=actor,
    )
    mark_dirty()
    return retention


@transaction.atomic
def retention_end(*, scope: Scope, retention: Retention, ended_on: date) -> Retention:
    retention = (
        Retention.objects.select_for_update().select_related("member__org").get(pk=retention.pk)
    )
    scope.require(Perm.TRANSFERS_MANAGE, retention.member.org, message="无权结束该组织关系保留。")
    if retention.ended_on is not None:
        raise ApplicationError("该组织关系保留已结束。")
    if ended_on < retention.started_on:
        raise ApplicationError("结束日期不能早于保留开始日期。", field="ended_on")
    retention.ended_on = ended_on
    retention.save(update_fields=["ended_on"])
    mark_dirty()
    return retention
