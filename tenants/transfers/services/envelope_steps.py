"""The worker side of a cross-county acceptance (``crosscounty.py`` has the whole story):
each step runs in the county whose schema it writes, in one transaction, and hands the
next step to the other county's worker after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
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
from shared.interchange.selectors import envelopes_to_resume
from shared.interchange.services import (
    envelope_decide,
    envelope_lock,
    envelope_lock_sent,
    envelope_release,
)
from tenants.members.models import Member, StatusAction
from tenants.members.services import member_change_status, member_relocate
from tenants.notifications.services import notification_send
from tenants.orgs.models import Organization
from tenants.transfers.faults import checkpoint
from tenants.transfers.models import Kind, State, Transfer, TransferAction
from tenants.transfers.payload import ImportContext, export_member, from_iso, iso, load_member
from tenants.transfers.services.common import (
    SYSTEM_SCOPE,
    advance,
    county_name,
    county_name_of,
    lock,
    mark_dirty,
    record,
)
from zhdj.errors import ApplicationError

Action = TransferAction.Action
Envelope = TransferEnvelope.State
log = logging.getLogger(__name__)

# The worker tasks that run a step in its county (``tasks.py``).
SOURCE_STEP_TASK = "tenants.transfers.tasks.envelope_source_step"
TARGET_STEP_TASK = "tenants.transfers.tasks.envelope_target_step"


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
    """Writes made in this county's schema on behalf of ``user_name`` of another
    ``county``: the audit context (pghistory) of those rows carries no user id (an id means
    a user of the schema the row is in) but the county and the person by name."""
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


def hand_on(schema: str, task: str, envelope_id: UUID) -> None:
    """After commit, the next step as a task in ``schema`` (that county's worker). If the
    broker is down the hand-off is logged and lost; ``resume_envelopes`` finds it."""
    from zhdj.celery import app

    def send() -> None:
        with schema_context(schema):
            app.send_task(task, args=[str(envelope_id)])

    transaction.on_commit(send, robust=True)


@transaction.atomic
def envelope_source_step(envelope_id: UUID) -> bool:
    """Step 2 (and a return's only step), the sending county: close its side of an
    accepted envelope, or return its transfer. False when there is nothing to do."""
    envelope = envelope_lock_sent(envelope_id, source_schema=connection.schema_name)
    if envelope is None:
        return False
    if envelope.state == Envelope.RETURNED:
        return _apply_return(envelope)
    if envelope.state != Envelope.ACCEPTING:
        return False
    receiving = county_name_of(envelope.target_schema)
    with acting_for(receiving, envelope.decided_by):
        data = _close_source(envelope, by=f"{receiving} {envelope.decided_by}")
    checkpoint("source_closed")
    preview = envelope_preview(envelope)
    envelope_release(envelope, data={"preview": preview, "member": data})
    checkpoint("envelope_released")
    mark_dirty()
    hand_on(envelope.target_schema, TARGET_STEP_TASK, envelope.id)
    return True


@transaction.atomic
def envelope_target_step(envelope_id: UUID) -> Transfer | None:
    """Step 3, the receiving county: create the member released by the sending county.
    Returns the receiving transfer (also when it was created before), else None. Its audit
    rows name the accepting user (a user of this schema) as a request would."""
    try:
        envelope = envelope_lock(envelope_id, target_schema=connection.schema_name)
    except TransferEnvelope.DoesNotExist:
        return None
    if envelope.state == Envelope.ACCEPTED:
        return Transfer.objects.filter(envelope_id=envelope.id).first()
    if envelope.state != Envelope.RELEASED:
        return None
    with pghistory.context(user=envelope.accepting_user_id):
        return _arrive(envelope)


def _arrive(envelope: TransferEnvelope, *, replay: bool = False) -> Transfer:
    """Create the member and the receiving transfer. ``replay``: the envelope was accepted
    already and this county was restored from an archive made before (``envelope_replay``):
    the same rows again, the envelope pointed at the new member, nobody notified again."""
    data = unseal(envelope.id, envelope.payload)["member"]
    # Checked when the envelope was claimed; a branch closed since still takes the member
    # (they have left the sending county already) and the committee moves them on.
    org = Organization.objects.get(pk=envelope.accepting_org_id)
    actor = User.objects.filter(pk=envelope.accepting_user_id).first()
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
    record(
        transfer,
        action=Action.ACCEPT,
        from_state="",
        actor=actor,
        actor_name=envelope.decided_by,
        note="; ".join(ctx.notes),
    )
    checkpoint("account_created")
    if replay:
        TransferEnvelope.objects.filter(pk=envelope.pk).update(accepted_member_id=member.pk)
        mark_dirty()
        return transfer
    envelope_decide(
        envelope,
        expected=Envelope.RELEASED,
        to=Envelope.ACCEPTED,
        by=envelope.decided_by,
        accepted_member_id=member.pk,
    )
    checkpoint("envelope_decided")
    if actor is not None:
        notification_send(
            recipients=[actor],
            title=f"{member.name}的组织关系已转入",
            body=f"由{info['from_county']}转入，已编入{org.name}。",
            url=f"/transfers/{transfer.pk}/",
            sender=None,
        )
    mark_dirty()
    return transfer


def _apply_return(envelope: TransferEnvelope) -> bool:
    """The sending county's side of a return (idempotent: only a transfer still waiting)."""
    transfer = lock(envelope.source_transfer_id)
    if transfer.state != State.PENDING_RECEIVER:
        return False
    receiving = county_name_of(envelope.target_schema)
    with acting_for(receiving, envelope.decided_by):
        advance(
            transfer,
            expected=State.PENDING_RECEIVER,
            to=State.RETURNED,
            return_reason=envelope.return_reason,
        )
        record(
            transfer,
            action=Action.RETURN,
            from_state=State.PENDING_RECEIVER,
            actor=None,
            actor_name=f"{receiving} {envelope.decided_by}",
            note=envelope.return_reason,
        )
    mark_dirty()
    return True


def envelopes_resume() -> int:
    """This county's steps that are due and were not handed on (a crash, a lost task):
    the beat runs it every few minutes. Each step is its own transaction; one that fails
    is logged and does not hold back the others. Returns the number of steps done."""
    schema = connection.schema_name
    at_source, at_target = envelopes_to_resume(schema, pending=_waiting_transfers())
    done = 0
    for step, ids in ((envelope_source_step, at_source), (envelope_target_step, at_target)):
        for envelope_id in ids:
            try:
                done += bool(step(envelope_id))
            except Exception:
                log.exception("envelope %s: step failed in %s", envelope_id, schema)
    return done


def _waiting_transfers() -> list[int]:
    """This county's transfers whose envelope is still to be answered on its side."""
    return list(
        Transfer.objects.filter(kind=Kind.COUNTY_OUT, state=State.PENDING_RECEIVER).values_list(
            "pk", flat=True
        )
    )
