"""Reads of the interchange tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from shared.interchange.models import FlowNotice, LetterRecord, TransferEnvelope

State = TransferEnvelope.State
IN_INBOX = (State.SENT, State.ACCEPTING, State.RELEASED)


def envelope_inbox(target_schema: str) -> QuerySet[TransferEnvelope]:
    """Envelopes waiting for ``target_schema`` (the receiving county's inbox), and those
    it accepted that are still on their way (接收中, 转入中)."""
    return TransferEnvelope.objects.filter(target_schema=target_schema, state__in=IN_INBOX).defer(
        "payload"
    )


def envelopes_to_resume(schema: str, *, pending: list[int]) -> tuple[list[object], list[object]]:
    """The acceptance steps due in ``schema``: envelopes it sent that the receiving county
    claimed or returned (``pending``: its transfers still waiting, so a return applied
    already is not listed again), and envelopes it accepted that the sending county
    released."""
    at_source = TransferEnvelope.objects.filter(source_schema=schema).filter(
        Q(state=State.ACCEPTING) | Q(state=State.RETURNED, source_transfer_id__in=pending)
    )
    at_target = TransferEnvelope.objects.filter(target_schema=schema, state=State.RELEASED)
    return (
        list(at_source.order_by("sent_at").values_list("pk", flat=True)),
        list(at_target.order_by("sent_at").values_list("pk", flat=True)),
    )


def envelopes_in_flight(schema: str) -> int:
    """Envelopes from or to ``schema`` still on their way (待接收, 接收中, 转入中): a county
    with any cannot be offboarded, or the other county's step would find no schema."""
    return (
        TransferEnvelope.objects.filter(state__in=IN_INBOX)
        .filter(Q(source_schema=schema) | Q(target_schema=schema))
        .count()
    )


def envelopes_due_to_expire(source_schema: str, *, today: date) -> list[object]:
    """Ids of the envelopes ``source_schema`` sent that ran past their validity."""
    return list(
        TransferEnvelope.objects.filter(
            source_schema=source_schema,
            state=TransferEnvelope.State.SENT,
            valid_until__lt=today,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def envelope_for_target(target_schema: str, envelope_id: object) -> TransferEnvelope | None:
    return TransferEnvelope.objects.filter(pk=envelope_id, target_schema=target_schema).first()


@dataclass(frozen=True)
class LetterStatus:
    serial: str
    masked_name: str
    issuer_name: str
    to_name: str
    issued_on: date
    valid_until: date
    state_label: str
    valid: bool
    expired: bool
    kind: str = LetterRecord.Kind.LETTER

    @property
    def is_card(self) -> bool:
        return self.kind == LetterRecord.Kind.CARD


# A flowing member's card (流动党员活动证) is not received: valid until handed back.
CARD_STATES = {LetterRecord.State.ISSUED: "有效", LetterRecord.State.VOID: "已交回或注销"}


def letter_status(token: str, *, today: date | None = None) -> LetterStatus | None:
    """What the public QR page shows: validity and state, a masked name, nothing more."""
    record = LetterRecord.objects.filter(token=token).first()
    if record is None:
        return None
    today = today or timezone.localdate()
    expired = record.state == LetterRecord.State.ISSUED and today > record.valid_until
    label = "已过期" if expired else record.get_state_display()
    if record.kind == LetterRecord.Kind.CARD and not expired:
        label = CARD_STATES.get(record.state, label)
    return LetterStatus(
        serial=record.serial,
        masked_name=record.masked_name,
        issuer_name=record.issuer_name,
        to_name=record.to_name,
        issued_on=record.issued_on,
        valid_until=record.valid_until,
        state_label=label,
        valid=record.state == LetterRecord.State.ISSUED and not expired,
        expired=expired,
        kind=record.kind,
    )


def flow_notices_to(
    target_schema: str, *, active: bool = False, only: set[object] | None = None
) -> list[FlowNotice]:
    """The flow notices addressed to ``target_schema`` (the destination county): those
    still running (``active``) or those in ``only`` (ids), else all of them."""
    rows = FlowNotice.objects.filter(target_schema=target_schema)
    if active:
        rows = rows.filter(state=FlowNotice.State.ACTIVE)
    if only is not None:
        rows = rows.filter(pk__in=only)
    return list(rows.order_by("created_at"))
