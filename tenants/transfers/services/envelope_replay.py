"""After a county is restored from an archive: its side of the cross-county transfers that
happened since the archive was made, replayed from the envelopes in public (which a county's
archive does not hold, and which kept going while it was away).

Run in the restored county (``manage.py replay_envelopes --schema X``); every case acts
only when this county's rows say the step is missing, so running it twice changes nothing:

- **arrived since** — an envelope to this county is 已接收 but no transfer here names it:
  the member and the receiving transfer are created again from the sealed envelope;
- **left since** — an envelope from this county was claimed or accepted while its transfer
  here still waits for the receiver: this county's side is closed again (the member
  transferred out, posts ended, login deactivated), as the worker's step does;
- **unknown here** — an envelope from this county names a transfer this county no longer
  has (started after the archive): listed for the operator, never guessed.

Returns left to apply and acceptances in progress need nothing here: the beat's
``resume_envelopes`` finishes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pghistory
from django.db import connection, transaction

from shared.interchange.models import TransferEnvelope
from tenants.transfers.models import State, Transfer
from tenants.transfers.services.common import county_name_of
from tenants.transfers.services.envelope_steps import _arrive, _close_source, acting_for

Envelope = TransferEnvelope.State


@dataclass
class ReplayReport:
    arrived: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.arrived or self.left or self.unknown)


def _label(envelope: TransferEnvelope) -> str:
    return (
        f"{envelope.masked_name}（{envelope.from_name} → {envelope.to_name}，信封 {envelope.pk}）"
    )


def envelopes_replay(*, apply: bool) -> ReplayReport:
    """What this county's restore lost of the transfers; with ``apply``, replayed."""
    schema = connection.schema_name
    report = ReplayReport()
    arrived = TransferEnvelope.objects.filter(target_schema=schema, state=Envelope.ACCEPTED)
    for envelope in arrived.order_by("sent_at"):
        if Transfer.objects.filter(envelope_id=envelope.pk).exists():
            continue
        report.arrived.append(_label(envelope))
        if apply:
            with transaction.atomic(), pghistory.context(user=envelope.accepting_user_id):
                _arrive(envelope, replay=True)
    sent = TransferEnvelope.objects.filter(source_schema=schema).order_by("sent_at")
    for envelope in sent:
        transfer = Transfer.objects.filter(pk=envelope.source_transfer_id).first()
        if transfer is None:
            report.unknown.append(f"{_label(envelope)}：{envelope.get_state_display()}")
            continue
        done_there = envelope.state in (Envelope.RELEASED, Envelope.ACCEPTED)
        if not done_there or transfer.state != State.PENDING_RECEIVER:
            continue
        report.left.append(_label(envelope))
        if apply:
            receiving = county_name_of(envelope.target_schema)
            with transaction.atomic(), acting_for(receiving, envelope.decided_by):
                _close_source(envelope, by=f"{receiving} {envelope.decided_by}（恢复后补记）")
    return report
