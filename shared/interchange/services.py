"""Writes to the interchange tables (envelopes, letter records).

Envelope states move by compare-and-set (``UPDATE … WHERE state = 'sent'``) after a
``SELECT … FOR UPDATE`` of the row, so two accepting users, a retry and a double click
cannot both succeed: the second sees ``accepted`` and gets the first one's outcome.
These functions are called from county code inside the county's own transaction (the
public table is reachable on the county's ``search_path``), so the envelope and both
counties' rows commit or roll back together.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from shared.interchange.models import FlowNotice, LetterRecord, TransferEnvelope
from shared.interchange.sealing import seal
from zhdj.errors import ApplicationError

Envelope = TransferEnvelope


@transaction.atomic
def envelope_send(
    *,
    source_schema: str,
    source_transfer_id: int,
    target_schema: str,
    target_org_id: int | None,
    masked_name: str,
    from_name: str,
    to_name: str,
    data: dict[str, Any],
    valid_until: date | None = None,
) -> TransferEnvelope:
    """Put a sealed transfer in the receiving county's inbox, acceptable until
    ``valid_until`` (inclusive)."""
    if source_schema == target_schema:
        raise ApplicationError("接收区县不能是本区县。", field="target")
    envelope_id = uuid.uuid4()
    return TransferEnvelope.objects.create(
        id=envelope_id,
        source_schema=source_schema,
        source_transfer_id=source_transfer_id,
        target_schema=target_schema,
        target_org_id=target_org_id,
        masked_name=masked_name,
        from_name=from_name,
        to_name=to_name,
        payload=seal(envelope_id, data),
        valid_until=valid_until,
    )


def envelope_lock(envelope_id: uuid.UUID, *, target_schema: str) -> TransferEnvelope:
    """The envelope row locked for this transaction; only the receiving county may lock."""
    envelope = (
        TransferEnvelope.objects.select_for_update()
        .filter(pk=envelope_id, target_schema=target_schema)
        .first()
    )
    if envelope is None:
        raise TransferEnvelope.DoesNotExist
    return envelope


def envelope_lock_sent(envelope_id: uuid.UUID, *, source_schema: str) -> TransferEnvelope | None:
    """An envelope ``source_schema`` sent, locked for this transaction (the sending
    county's side of an acceptance)."""
    return (
        TransferEnvelope.objects.select_for_update()
        .filter(pk=envelope_id, source_schema=source_schema)
        .first()
    )


def envelope_lock_source(*, source_schema: str, source_transfer_id: int) -> TransferEnvelope | None:
    """The sending county's envelope of one of its transfers, locked for this transaction."""
    return (
        TransferEnvelope.objects.select_for_update()
        .filter(source_schema=source_schema, source_transfer_id=source_transfer_id)
        .first()
    )


def envelope_move(envelope: TransferEnvelope, *, expected: str, to: str, **fields: Any) -> bool:
    """Compare-and-set ``expected → to`` (with ``fields``) on a locked envelope; False if
    its state was not ``expected`` (another decision came first)."""
    changed = TransferEnvelope.objects.filter(pk=envelope.pk, state=expected).update(
        state=to, **fields
    )
    if changed:
        envelope.state = to
        for name, value in fields.items():
            setattr(envelope, name, value)
    return bool(changed)


def envelope_decide(
    envelope: TransferEnvelope,
    *,
    to: str,
    by: str,
    reason: str = "",
    expected: str = TransferEnvelope.State.SENT,
    **fields: Any,
) -> None:
    """Compare-and-set from ``expected`` (``sent``) to ``to``, naming who decided;
    refuses if another decision came first."""
    moved = envelope_move(
        envelope,
        expected=expected,
        to=to,
        decided_at=timezone.now(),
        decided_by=by[:64],
        return_reason=reason[:200],
        **fields,
    )
    if not moved:
        raise ApplicationError("该转接已由他人处理，请刷新后查看。")


def envelope_release(envelope: TransferEnvelope, *, data: dict[str, Any]) -> bool:
    """The sending county closed its side: ``accepting → released`` with the member's
    data sealed into the payload (``data`` keeps the preview too)."""
    return envelope_move(
        envelope,
        expected=TransferEnvelope.State.ACCEPTING,
        to=TransferEnvelope.State.RELEASED,
        payload=seal(envelope.pk, data),
        released_at=timezone.now(),
    )


@transaction.atomic
def envelope_withdraw(*, source_schema: str, source_transfer_id: int, by: str) -> None:
    """The sending county takes back an envelope not yet decided."""
    envelope = (
        TransferEnvelope.objects.select_for_update()
        .filter(source_schema=source_schema, source_transfer_id=source_transfer_id)
        .first()
    )
    if envelope is None:
        return
    if envelope.state != TransferEnvelope.State.SENT:
        raise ApplicationError("接收方已处理该转接，不能撤回。")
    envelope_decide(envelope, to=TransferEnvelope.State.WITHDRAWN, by=by)


@transaction.atomic
def letter_record_publish(
    *,
    token: str,
    serial: str,
    issuer_schema: str,
    issuer_name: str,
    to_name: str,
    masked_name: str,
    issued_on: date,
    valid_until: date,
    kind: str = LetterRecord.Kind.LETTER,
) -> LetterRecord:
    return LetterRecord.objects.create(
        kind=kind,
        token=token,
        serial=serial,
        issuer_schema=issuer_schema,
        issuer_name=issuer_name,
        to_name=to_name,
        masked_name=masked_name,
        issued_on=issued_on,
        valid_until=valid_until,
    )


@transaction.atomic
def letter_record_set_state(*, issuer_schema: str, serial: str, state: str) -> None:
    LetterRecord.objects.filter(issuer_schema=issuer_schema, serial=serial).update(
        state=state, updated_at=timezone.now()
    )


def envelope_expire(envelope: TransferEnvelope, *, today: date) -> bool:
    """Mark a locked envelope past its validity ``expired``; False if it is not due (or was
    decided meanwhile: the acceptance that locked it first wins)."""
    changed = TransferEnvelope.objects.filter(
        pk=envelope.pk, state=TransferEnvelope.State.SENT, valid_until__lt=today
    ).update(state=TransferEnvelope.State.EXPIRED, decided_at=timezone.now(), decided_by="系统")
    if changed:
        envelope.state = TransferEnvelope.State.EXPIRED
    return bool(changed)


def envelope_resend(
    envelope: TransferEnvelope, *, data: dict[str, Any], valid_until: date
) -> TransferEnvelope:
    """Put a locked, expired envelope back in the inbox with a fresh validity and payload.

    The id stays (it is the sealing's associated data and the receiving side's uniqueness
    key); the sending transfer's history records the expiry and the resending.
    """
    changed = TransferEnvelope.objects.filter(
        pk=envelope.pk, state=TransferEnvelope.State.EXPIRED
    ).update(
        state=TransferEnvelope.State.SENT,
        payload=seal(envelope.pk, data),
        sent_at=timezone.now(),
        valid_until=valid_until,
        decided_at=None,
        decided_by="",
    )
    if changed != 1:
        raise ApplicationError("该转接不是逾期未接收状态，不能重新发出。")
    envelope.refresh_from_db()
    return envelope


def flow_notice_answer(*, target_schema: str, notice_id: object, **fields: Any) -> int:
    """What the destination county writes back on a flow notice addressed to it: the
    branch it assigned (``target_org_id``, ``target_org_name``) or the dues it took
    (``dues_paid_through``); nothing else, and only on its own notices."""
    allowed = {"target_org_id", "target_org_name", "dues_paid_through"}
    if not fields or set(fields) - allowed:
        raise ValueError(f"a destination writes only {sorted(allowed)}")
    return FlowNotice.objects.filter(pk=notice_id, target_schema=target_schema).update(
        **fields, updated_at=timezone.now()
    )
