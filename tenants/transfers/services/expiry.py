"""Envelope validity (转接有效期), domain-rules §3: a letter is valid for a configured number
of days (``transfers.letter_validity_days_city`` between the counties of the city).

An envelope that the receiving county has not accepted by its ``valid_until`` is expired:
the envelope turns ``expired`` and the sending transfer 逾期未接收, in one transaction.
Acceptance refuses an envelope past its validity even before the sweep has run. The
sending committee may resend it (``transfer_resend``) with a fresh validity.

The sending county owns the expiry: its transfer row changes, its rule sets the validity,
and its task (fan-out per county) writes only its own schema and the public envelope.
The sweep is idempotent: a second run finds nothing due; an acceptance that locked the
envelope first wins (compare-and-set on ``state = 'sent'``).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone

from shared.accounts.models import User
from shared.interchange.models import TransferEnvelope
from shared.interchange.selectors import envelopes_due_to_expire
from shared.interchange.services import envelope_expire, envelope_lock_source, envelope_resend
from tenants.access.scope import Scope
from tenants.transfers.models import Kind, State, Transfer, TransferAction
from tenants.transfers.services.common import (
    advance,
    check_transferable,
    lock,
    mark_dirty,
    may_act_as_committee,
    record,
)
from zhdj.errors import ApplicationError

Action = TransferAction.Action


@transaction.atomic
def envelope_expire_one(*, envelope_id: UUID, today: date) -> bool:
    """Expire one envelope of this county if it is still due; True when it was."""
    envelope = (
        TransferEnvelope.objects.select_for_update()
        .filter(pk=envelope_id, source_schema=connection.schema_name)
        .first()
    )
    if envelope is None or not envelope_expire(envelope, today=today):
        return False
    transfer = lock(envelope.source_transfer_id)
    if transfer.state != State.PENDING_RECEIVER:
        # The envelope said "sent" while the transfer moved on: keep them consistent by
        # refusing to expire (rolls back the envelope too); never seen in practice.
        raise ApplicationError("转接状态与转接信封不一致。")
    advance(transfer, expected=State.PENDING_RECEIVER, to=State.EXPIRED)
    until = f"{envelope.valid_until:%Y-%m-%d}" if envelope.valid_until else ""
    record(
        transfer,
        action=Action.EXPIRE,
        from_state=State.PENDING_RECEIVER,
        actor=None,
        actor_name="系统",
        note=f"{envelope.to_name}未在有效期（至{until}）内接收",
    )
    mark_dirty()
    return True


def envelopes_expire(*, today: date | None = None) -> int:
    """Expire every envelope this county sent that ran past its validity (one transaction
    each: one bad row does not hold back the others)."""
    today = today or timezone.localdate()
    done = 0
    for envelope_id in envelopes_due_to_expire(connection.schema_name, today=today):
        try:
            done += envelope_expire_one(envelope_id=envelope_id, today=today)
        except ApplicationError:
            continue
    return done


@transaction.atomic
def transfer_resend(*, scope: Scope, actor: User, transfer: Transfer, note: str = "") -> Transfer:
    """The sending committee sends an expired transfer again (重新发出), fresh validity."""
    from tenants.transfers.services.crosscounty import envelope_payload, envelope_validity

    transfer = lock(transfer.pk)
    if transfer.kind != Kind.COUNTY_OUT or transfer.state != State.EXPIRED:
        raise ApplicationError("只有逾期未接收的跨区县转接可以重新发出。")
    if not may_act_as_committee(scope, transfer.from_org):
        raise ApplicationError("重新发出须由转出党员所在的基层党委办理。")
    check_transferable(transfer.member)
    envelope = envelope_lock_source(
        source_schema=connection.schema_name, source_transfer_id=transfer.pk
    )
    if envelope is None:
        raise ApplicationError("该转接没有转接信封。")
    envelope = envelope_resend(
        envelope, data=envelope_payload(transfer), valid_until=envelope_validity()
    )
    advance(transfer, expected=State.EXPIRED, to=State.PENDING_RECEIVER)
    record(
        transfer,
        action=Action.RESEND,
        from_state=State.EXPIRED,
        actor=actor,
        note=note or f"有效期至{envelope.valid_until:%Y-%m-%d}",
    )
    mark_dirty()
    return transfer
