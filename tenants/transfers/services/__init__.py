"""Transfer services (组织关系转接): writes only, each one transaction."""

from __future__ import annotations

from tenants.transfers.services.crosscounty import envelope_accept, envelope_return
from tenants.transfers.services.envelope_steps import (
    envelope_source_step,
    envelope_target_step,
    envelopes_resume,
)
from tenants.transfers.services.expiry import envelopes_expire, transfer_resend
from tenants.transfers.services.flow import (
    may_approve,
    transfer_approve,
    transfer_return,
    transfer_start,
    transfer_withdraw,
)
from tenants.transfers.services.letters import (
    LetterData,
    letter_issue,
    letter_receipt_register,
    paper_letter_register,
    proof_letter_issue,
    retention_end,
    retention_start,
)

__all__ = [
    "LetterData",
    "envelope_accept",
    "envelope_return",
    "envelope_source_step",
    "envelope_target_step",
    "envelopes_expire",
    "envelopes_resume",
    "letter_issue",
    "letter_receipt_register",
    "may_approve",
    "paper_letter_register",
    "proof_letter_issue",
    "retention_end",
    "retention_start",
    "transfer_approve",
    "transfer_resend",
    "transfer_return",
    "transfer_start",
    "transfer_withdraw",
]
