"""Rollup figures of transfers (组织关系转接): pending counts and processing time per
sending organization (dimension: the organization's id in this county), for the city
dashboard and, later, the assessment. The average is total days ÷ completed count."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Q, Sum
from django.db.models.functions import Extract

from shared.rollups.registry import CountAll, memo, metric
from tenants.transfers.models import OPEN_STATES, State, Transfer


@memo
def _by_sending_org() -> list[tuple[str, int, int, int]]:
    """(sending organization, open, completed, days of processing) in one grouped query."""
    done = Q(state=State.COMPLETED)
    rows = (
        Transfer.objects.filter(Q(state__in=OPEN_STATES) | done)
        .values("from_org_id")
        .annotate(
            open=CountAll(filter=Q(state__in=OPEN_STATES)),
            completed=CountAll(filter=done),
            seconds=Sum(
                Extract(F("completed_at") - F("created_at"), "epoch"),
                filter=done & Q(completed_at__isnull=False),
            ),
        )
    )
    return [
        (str(r["from_org_id"] or ""), r["open"], r["completed"], int((r["seconds"] or 0) // 86400))
        for r in rows
    ]


@metric("transfers.pending", label="在办组织关系转接", unit="件", dimension_label="党组织")
def pending_by_org() -> Iterable[tuple[str, int]]:
    return [(org, n) for org, n, _, _ in _by_sending_org() if n]


@metric("transfers.completed", label="已办结组织关系转接", unit="件", dimension_label="党组织")
def completed_by_org() -> Iterable[tuple[str, int]]:
    return [(org, n) for org, _, n, _ in _by_sending_org() if n]


@metric("transfers.processing_days", label="转接办理总天数", unit="天", dimension_label="党组织")
def processing_days_by_org() -> Iterable[tuple[str, int]]:
    return [(org, days) for org, _, n, days in _by_sending_org() if n]
