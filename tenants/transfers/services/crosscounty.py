"""Transfers between two counties of the city (市内跨区县转接): each county writes only its
own schema, in its own transaction.

Sending: when the sending committee approves, ``envelope_send_for`` puts a sealed envelope
(public ``interchange.TransferEnvelope``) in the receiving county's inbox, in the same
transaction as the state change.

Accepting is three steps, each one transaction in one county's schema, handed on by a
task after commit (``tasks.py``; the beat's ``resume_envelopes`` picks up any hand-off a
crash or a Redis outage lost):

1. ``envelope_accept`` — the receiving county's committee, in its request: lock the
   envelope (``SELECT … FOR UPDATE``), check it, compare-and-set ``sent → accepting`` with
   the chosen organization and the user. A second accepter waits on the lock, then finds
   it ``accepting`` and gets the same answer (retries and double clicks too);
2. ``envelope_source_step`` — the sending county, in its worker: export the member's
   current data through the payload registry (``payload.py``), close its side (transfer
   已完成, member 已转出, posts ended, login deactivated), seal the data into the envelope
   and compare-and-set ``accepting → released``. Its audit rows name the receiving county
   and person (``acting_for``), never the id of a user of another schema;
3. ``envelope_target_step`` — the receiving county, in its worker: create the member, their
   parts and the receiving transfer row (unique on the envelope id), compare-and-set
   ``released → accepted`` and tell the accepting user. No login and no password hash
   travel: the receiving county issues a new login in 登录账号 (the member is listed there
   as 未开通).

A crash inside a step (``faults.checkpoint``) rolls that step back and the step runs again:
at no moment are there two active members; between steps 2 and 3 the member is in transit
(已转出 in one county, not yet in the other), which the envelope's state 转入中 shows.
Returning (``envelope_return``) is the same shape: the receiving county moves the envelope
``sent → returned``; the sending county's step puts its transfer to 已退回.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone

from shared.accounts.models import User
from shared.interchange.models import TransferEnvelope
from shared.interchange.services import envelope_decide, envelope_lock, envelope_send
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.members.models import Member
from tenants.orgs.models import Organization
from tenants.rules.selectors import rule_value
from tenants.transfers.faults import checkpoint
from tenants.transfers.models import Transfer
from tenants.transfers.payload import iso
from tenants.transfers.services.common import check_receivable, county_name
from tenants.transfers.services.envelope_steps import (
    SOURCE_STEP_TASK,
    envelope_preview,
    hand_on,
)
from zhdj.errors import ApplicationError
from zhdj.pii.masking import mask_name

Envelope = TransferEnvelope.State

__all__ = ["envelope_accept", "envelope_preview", "envelope_return", "envelope_send_for"]


def _preview(member: Member, transfer: Transfer) -> dict[str, Any]:
    """What the receiving committee reads before accepting (sealed in the envelope)."""
    return {
        "name": member.name,
        "sex": member.get_sex_display(),
        "birth_date": iso(member.birth_date),
        "category_code": member.category_code,
        "joined_at": iso(member.joined_at),
        "phone": member.phone,
        "from_county": county_name(),
        "from_org": transfer.from_name,
        "reason": transfer.reason,
        "dues_paid_until": iso(transfer.dues_paid_until),
    }


def envelope_validity() -> date:
    """Last day to accept an envelope sent today (``transfers.letter_validity_days_city``)."""
    days = rule_value("transfers.letter_validity_days_city")
    return timezone.localdate() + timedelta(days=days)


def envelope_send_for(transfer: Transfer) -> TransferEnvelope:
    """Sending side, inside the approval transaction."""
    member = transfer.member
    return envelope_send(
        valid_until=envelope_validity(),
        source_schema=connection.schema_name,
        source_transfer_id=transfer.pk,
        target_schema=transfer.other_schema,
        target_org_id=transfer.other_org_id,
        masked_name=mask_name(member.name),
        from_name=f"{county_name()} {transfer.from_name}"[:200],
        to_name=transfer.to_name,
        data=envelope_payload(transfer),
    )


def envelope_payload(transfer: Transfer) -> dict[str, Any]:
    """The sealed part of an envelope: the preview (the member is exported at acceptance)."""
    return {"preview": _preview(transfer.member, transfer)}


@transaction.atomic
def envelope_accept(
    *, scope: Scope, envelope_id: UUID, org: Organization, actor: User
) -> TransferEnvelope:
    """Step 1, the receiving county: claim the envelope for ``org`` (see the module
    docstring). Returns the envelope, ``accepting`` (or further on, for a retry)."""
    scope.require(Perm.TRANSFERS_MANAGE, org, message="请选择本人管理范围内的党支部。")
    target_schema = connection.schema_name
    try:
        envelope = envelope_lock(envelope_id, target_schema=target_schema)
    except TransferEnvelope.DoesNotExist:
        raise ApplicationError("转接不存在。") from None
    checkpoint("envelope_locked")
    if envelope.state in (Envelope.ACCEPTING, Envelope.RELEASED, Envelope.ACCEPTED):
        return envelope  # a retry, a double click or the second of two accepters
    expired = envelope.state == Envelope.EXPIRED
    if expired or envelope.is_past_validity(timezone.localdate()):
        until = f"{envelope.valid_until:%Y年%m月%d日}" if envelope.valid_until else ""
        raise ApplicationError(f"该转接已超过有效期（至{until}），不能接收；请转出区县重新发出。")
    if envelope.state != Envelope.SENT:
        raise ApplicationError(f"该转接{envelope.get_state_display()}，不能接收。")
    org = check_receivable(org, field="org")
    envelope_decide(
        envelope,
        to=Envelope.ACCEPTING,
        by=actor.full_name,
        accepting_org_id=org.pk,
        accepting_user_id=actor.pk,
    )
    checkpoint("envelope_claimed")
    hand_on(envelope.source_schema, SOURCE_STEP_TASK, envelope.id)
    return envelope


@transaction.atomic
def envelope_return(*, scope: Scope, envelope_id: UUID, actor: User, reason: str) -> None:
    """The receiving county refuses, with a reason; the sending county's step returns its
    transfer (它看到“已退回”及原因)."""
    scope.require(Perm.TRANSFERS_MANAGE, message="无权退回外区县转来的组织关系。")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("退回须说明原因（无正当理由不得拒绝接收）。", field="reason")
    target_schema = connection.schema_name
    try:
        envelope = envelope_lock(envelope_id, target_schema=target_schema)
    except TransferEnvelope.DoesNotExist:
        raise ApplicationError("转接不存在。") from None
    envelope_decide(envelope, to=Envelope.RETURNED, by=actor.full_name, reason=reason)
    hand_on(envelope.source_schema, SOURCE_STEP_TASK, envelope.id)
