"""Reads of transfers, always through the user's Scope (organization subtree)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from shared.interchange.models import TransferEnvelope
from shared.interchange.selectors import envelope_for_target, envelope_inbox
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.orgs.models import Organization
from tenants.transfers.models import (
    OPEN_STATES,
    Letter,
    ProofLetter,
    Retention,
    State,
    Transfer,
)


def transfers_visible(scope: Scope) -> QuerySet[Transfer]:
    """Transfers out of or into the subtrees where the user handles transfers, and their own."""
    return Transfer.objects.visible_to(scope).select_related("member", "from_org", "to_org")


def transfer_get(scope: Scope, transfer_id: int) -> Transfer | None:
    return transfers_visible(scope).filter(pk=transfer_id).first()


def _managed(scope: Scope, field: str) -> Q:
    """Rows whose ``field`` organization is one the user handles transfers for."""
    if scope.is_admin:
        return Q()
    orgs = Organization.objects.visible_to(scope, Perm.TRANSFERS_MANAGE).values("id")
    return Q(**{f"{field}__in": orgs})


def transfers_outgoing(scope: Scope) -> QuerySet[Transfer]:
    return (
        transfers_visible(scope).filter(from_org__isnull=False).filter(_managed(scope, "from_org"))
    )


def transfers_incoming(scope: Scope) -> QuerySet[Transfer]:
    return transfers_visible(scope).filter(to_org__isnull=False).filter(_managed(scope, "to_org"))


def my_transfers(scope: Scope) -> QuerySet[Transfer]:
    """The member's own transfers only (a post holder's page of their own too)."""
    if scope.member_id is None:
        return Transfer.objects.none()
    return Transfer.objects.filter(member_id=scope.member_id).prefetch_related("actions")


def receives_envelopes(scope: Scope) -> bool:
    """Envelopes from other counties are received at the committee level (or by the county)."""
    return scope.is_admin or _at_committee(scope)


def inbox(scope: Scope) -> list[TransferEnvelope]:
    """Envelopes from other counties; the county committee level receives them."""
    if not receives_envelopes(scope):
        return []
    return list(envelope_inbox(connection.schema_name))


def inbox_envelope(scope: Scope, envelope_id: object) -> TransferEnvelope | None:
    if not scope.is_admin and not _at_committee(scope):
        return None
    return envelope_for_target(connection.schema_name, envelope_id)


def _at_committee(scope: Scope) -> bool:
    from tenants.transfers.services.common import may_act_as_committee

    orgs = Organization.objects.visible_to(scope, Perm.TRANSFERS_MANAGE)[:50]
    return any(may_act_as_committee(scope, org) for org in orgs)


def letters_visible(scope: Scope) -> QuerySet[Letter]:
    """A letter is seen with its transfer."""
    transfers = Transfer.objects.visible_to(scope).values("id")
    return Letter.objects.filter(transfer__in=transfers).select_related("transfer")


def proof_letters_visible(scope: Scope) -> QuerySet[ProofLetter]:
    return ProofLetter.objects.visible_to(scope).select_related("member")


def retentions_visible(scope: Scope) -> QuerySet[Retention]:
    return Retention.objects.visible_to(scope).select_related("member", "org")


def late_receipts(*, today: date | None = None) -> QuerySet[Letter]:
    """Letters whose receipt has not come back within the configured days (county-wide)."""
    from tenants.rules.selectors import rule_value

    today = today or timezone.localdate()
    days = rule_value("transfers.receipt_deadline_days")
    return Letter.objects.filter(
        receipt_on__isnull=True,
        transfer__state=State.AWAITING_RECEIPT,
        issued_on__lt=today - timezone.timedelta(days=days),
    ).select_related("transfer", "transfer__from_org")


@dataclass(frozen=True)
class Figures:
    by_state: list[dict[str, object]]
    pending: int
    completed: int
    average_days: float | None


def figures(qs: QuerySet[Transfer]) -> Figures:
    """Counts by state and the average processing time, for the page's charts."""
    counts = Counter(qs.values_list("state", flat=True))
    labels = dict(State.choices)
    done = list(
        qs.filter(state=State.COMPLETED, completed_at__isnull=False).values_list(
            "created_at", "completed_at"
        )[:1000]
    )
    # A transfer recorded already done (accepted from another county, a paper letter) has
    # its 办结时间 taken a moment before the row's 申请时间: 0, never "-0.0 天".
    average = (
        round(sum(max(0.0, (b - a).total_seconds()) for a, b in done) / len(done) / 86400, 1)
        if done
        else None
    )
    return Figures(
        by_state=[{"name": labels[s], "value": n} for s, n in counts.items() if n],
        pending=sum(n for s, n in counts.items() if s in OPEN_STATES),
        completed=counts.get(State.COMPLETED, 0),
        average_days=average,
    )


@dataclass(frozen=True)
class DuesPrefill:
    """党费交至 for the letter form, and where it came from (said under the field)."""

    month: date | None
    source: str


def letter_dues_prefill(transfer: Transfer) -> DuesPrefill:
    """The dues record's paid-up month (tenants/dues), else the month given when the
    transfer was started; the committee may still correct it (a payment not yet recorded)."""
    from tenants.transfers.services.common import dues_paid_until

    paid = dues_paid_until(transfer.member)
    if paid is not None:
        return DuesPrefill(paid, f"根据党费缴纳记录自动填写：已交清至{paid.year}年{paid.month}月。")
    if transfer.dues_paid_until is not None:
        month = transfer.dues_paid_until
        said = f"{month.year}年{month.month}月"
        return DuesPrefill(month, f"党费记录中无缴纳记录，按转接申请填写：{said}。")
    return DuesPrefill(None, "党费记录中没有已交清的月份，请按实际填写。")
