"""Transfers between two counties of the city (市内跨区县转接): two tenants, one transaction.

Sending: when the sending committee approves, ``envelope_send_for`` puts a sealed envelope
(public ``interchange.TransferEnvelope``) in the receiving county's inbox, in the same
transaction as the state change.

Accepting (``envelope_accept``, run by the receiving county) is exactly-once:

1. lock the envelope row (``SELECT … FOR UPDATE``); a second accepter waits here, then
   finds it ``accepted`` and gets the first acceptance back (retries and double clicks too);
2. with the sending schema active, export the member's current data through the payload
   registry (``payload.py``) and close the sending side: transfer 已完成, member 已转出,
   posts ended, login deactivated. These writes are the sending county's: its audit rows
   name the receiving county and user by name (``acting_for``), never the id of a user
   of another schema, which the sending county's audit page would resolve against its
   own users;
3. with the receiving schema active, create the member and their parts and the receiving
   transfer row (unique on the envelope id). No login and no password hash travel: the
   receiving county issues the member a new login in 登录账号 (tenants/logins: the member
   is listed there as 未开通);
4. compare-and-set the envelope ``sent → accepted``.

All in one database transaction: both schemas are in the same PostgreSQL database and
``schema_context`` only switches ``search_path`` on the same connection. A crash at any
point (``faults.checkpoint``) rolls everything back, leaving exactly one active member.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pghistory
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.accounts.services import user_deactivate
from shared.interchange.models import TransferEnvelope
from shared.interchange.sealing import unseal
from shared.interchange.services import envelope_decide, envelope_lock, envelope_send
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.members.models import Member, StatusAction
from tenants.members.services import member_change_status, member_relocate
from tenants.orgs.models import Organization
from tenants.rules.selectors import rule_value
from tenants.transfers.faults import checkpoint
from tenants.transfers.models import Kind, State, Transfer, TransferAction
from tenants.transfers.payload import ImportContext, export_member, from_iso, iso, load_member
from tenants.transfers.services.common import (
    SYSTEM_SCOPE,
    advance,
    check_receivable,
    county_name,
    county_name_of,
    lock,
    mark_dirty,
    record,
)
from zhdj.errors import ApplicationError
from zhdj.pii.masking import mask_name

Action = TransferAction.Action


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


def envelope_preview(envelope: TransferEnvelope) -> dict[str, Any]:
    return unseal(envelope.id, envelope.payload)["preview"]


def _close_source(envelope: TransferEnvelope, *, by: str) -> dict[str, Any]:
    """In the sending schema: export the member, then mark everything transferred out."""
    transfer = lock(envelope.source_transfer_id)
    if transfer.state != State.PENDING_RECEIVER or transfer.kind != Kind.COUNTY_OUT:
        raise ApplicationError("转出方的转接状态已变化，无法接收。")
    member = Member.objects.select_for_update().get(pk=transfer.member_id)
    # The login stays behind, deactivated: neither it nor its password hash travels.
    data = {"parts": export_member(member), "had_login": False, "transfer": {}}
    user = User.objects.filter(pk=member.user_id).first() if member.user_id else None
    if user is not None and user.is_active:
        data["had_login"] = True
        # Deactivated users fail ModelBackend.get_user: their sessions end at once.
        user_deactivate(user=user)
    data["transfer"] = {
        "reason": transfer.reason,
        "from_name": transfer.from_name,
        "dues_paid_until": iso(transfer.dues_paid_until),
        "from_county": county_name(),
    }
    today = timezone.localdate()
    member_relocate(member=member, org=None, ended_at=today)
    member_change_status(
        scope=SYSTEM_SCOPE,
        member=member,
        action=StatusAction.TRANSFER_OUT,
        effective_date=today,
        reason=f"组织关系转至{envelope.to_name}",
        actor=None,  # type: ignore[arg-type]
    )
    advance(transfer, expected=State.PENDING_RECEIVER, to=State.COMPLETED)
    record(
        transfer,
        action=Action.ACCEPT,
        from_state=State.PENDING_RECEIVER,
        actor=None,
        actor_name=by,
        note=f"已由{envelope.to_name}接收",
    )
    return data


@contextmanager
def acting_for(county: str, user_name: str) -> Iterator[None]:
    """Writes made in another county's schema on behalf of ``user_name`` of ``county``:
    the audit context (pghistory) of those rows carries no user id (an id means a user of
    the schema the row is in) but the county and the person by name. The request's own
    context comes back afterwards, for the rows written in its own schema."""
    with pghistory.context() as ctx:
        saved = dict(ctx.metadata)
        ctx.metadata.update(
            user=None, actor_name=f"{county} {user_name}".strip(), actor_county=county
        )
        try:
            yield
        finally:
            ctx.metadata.clear()
            ctx.metadata.update(saved)


@transaction.atomic
def envelope_accept(
    *, scope: Scope, envelope_id: UUID, org: Organization, actor: User | None
) -> Transfer:
    """Receive a member from another county (see the module docstring for the steps)."""
    scope.require(Perm.TRANSFERS_MANAGE, org, message="请选择本人管理范围内的党支部。")
    target_schema = connection.schema_name
    try:
        envelope = envelope_lock(envelope_id, target_schema=target_schema)
    except TransferEnvelope.DoesNotExist:
        raise ApplicationError("转接不存在。") from None
    checkpoint("envelope_locked")
    if envelope.state == TransferEnvelope.State.ACCEPTED:
        done = Transfer.objects.filter(envelope_id=envelope.id).first()
        if done is not None:
            return done  # a retry, a double click or the second of two accepters
    expired = envelope.state == TransferEnvelope.State.EXPIRED
    if expired or envelope.is_past_validity(timezone.localdate()):
        until = f"{envelope.valid_until:%Y年%m月%d日}" if envelope.valid_until else ""
        raise ApplicationError(f"该转接已超过有效期（至{until}），不能接收；请转出区县重新发出。")
    if envelope.state != TransferEnvelope.State.SENT:
        raise ApplicationError(f"该转接{envelope.get_state_display()}，不能接收。")
    org = check_receivable(org, field="org")
    receiving = county_name_of(target_schema)
    with schema_context(envelope.source_schema), acting_for(receiving, actor.full_name):
        data = _close_source(envelope, by=f"{receiving} {actor.full_name}")
    checkpoint("source_closed")
    ctx = ImportContext(envelope.id, envelope.source_schema, org, actor)
    member = load_member(ctx, data["parts"])
    checkpoint("member_imported")
    info = data["transfer"]
    transfer = Transfer.objects.create(
        kind=Kind.COUNTY_IN,
        state=State.COMPLETED,
        member=member,
        to_org=org,
        other_schema=envelope.source_schema,
        from_name=f"{info['from_county']} {info['from_name']}"[:200],
        to_name=org.name,
        reason=info["reason"],
        dues_paid_until=from_iso(info["dues_paid_until"]),
        envelope_id=envelope.id,
        created_by=actor,
        completed_at=timezone.now(),
    )
    if data.get("had_login"):
        ctx.notes.append("原登录账号已在转出区县停用，请在“登录账号”中为其开通新账号")
    record(transfer, action=Action.ACCEPT, from_state="", actor=actor, note="; ".join(ctx.notes))
    checkpoint("account_created")
    envelope_decide(
        envelope, to=TransferEnvelope.State.ACCEPTED, by=actor.full_name, member_id=member.pk
    )
    checkpoint("envelope_decided")
    mark_dirty()
    _dirty_in(envelope.source_schema)
    return transfer


@transaction.atomic
def envelope_return(*, scope: Scope, envelope_id: UUID, actor: User | None, reason: str) -> None:
    """The receiving county refuses, with a reason; the sending side sees it returned."""
    scope.require(Perm.TRANSFERS_MANAGE, message="无权退回外区县转来的组织关系。")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("退回须说明原因（无正当理由不得拒绝接收）。", field="reason")
    target_schema = connection.schema_name
    try:
        envelope = envelope_lock(envelope_id, target_schema=target_schema)
    except TransferEnvelope.DoesNotExist:
        raise ApplicationError("转接不存在。") from None
    envelope_decide(envelope, to=TransferEnvelope.State.RETURNED, by=actor.full_name, reason=reason)
    receiving = county_name_of(target_schema)
    with schema_context(envelope.source_schema), acting_for(receiving, actor.full_name):
        transfer = lock(envelope.source_transfer_id)
        advance(
            transfer, expected=State.PENDING_RECEIVER, to=State.RETURNED, return_reason=reason[:200]
        )
        record(
            transfer,
            action=Action.RETURN,
            from_state=State.PENDING_RECEIVER,
            actor=None,
            actor_name=f"{county_name_of(target_schema)} {actor.full_name}",
            note=reason,
        )
    _dirty_in(envelope.source_schema)


def _dirty_in(schema: str) -> None:
    """Mark the other county's rollup dirty too, in its own schema, after commit."""
    from shared.rollups.dirty import rollup_mark_dirty

    def run() -> None:
        with schema_context(schema):
            rollup_mark_dirty()

    transaction.on_commit(run)
