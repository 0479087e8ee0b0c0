"""Rollup figures of transfers (组织关系转接): pending counts and processing time per
sending organization (dimension: the organization's name, as the dashboard shows it —
an id would mean nothing there and collide across counties), for the city dashboard
and, later, the assessment. The average is total days ÷ completed count."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Q, Sum
from django.db.models.functions import Extract

from shared.rollups.registry import CountAll, memo, metric
from tenants.transfers.models import OPEN_STATES, State, Transfer

# Transfers into the county have no sending organization of this county.
OUTSIDE = "外单位转入"


@memo
def _by_sending_org() -> list[tuple[str, int, int, int]]:
    """(sending organization, open, completed, days of processing) in one grouped query."""
    done = Q(state=State.COMPLETED)
    rows = (
        Transfer.objects.filter(Q(state__in=OPEN_STATES) | done)
        .values("from_org_id", "from_org__name")
        .annotate(
            open=CountAll(filter=Q(state__in=OPEN_STATES)),
            completed=CountAll(filter=done),
            seconds=Sum(
                Extract(F("completed_at") - F("created_at"), "epoch"),
                filter=done & Q(completed_at__isnull=False),
            ),
        )
    )
    # Summed by name: two organizations of the same name would otherwise be two rows with
    # one dimension.
    sums: dict[str, list[int]] = {}
    for r in rows:
        cell = sums.setdefault(r["from_org__name"] or OUTSIDE, [0, 0, 0])
        cell[0] += r["open"]
        cell[1] += r["completed"]
        cell[2] += int(r["seconds"] or 0)
    return [(name, n, done, seconds // 86400) for name, (n, done, seconds) in sums.items()]


@metric("transfers.pending", label="在办组织关系转接", unit="件", dimension_label="党组织")
def pending_by_org() -> Iterable[tuple[str, int]]:
    return [(org, n) for org, n, _, _ in _by_sending_org() if n]


@metric("transfers.completed", label="已办结组织关系转接", unit="件", dimension_label="党组织")
def completed_by_org() -> Iterable[tuple[str, int]]:
    return [(org, n) for org, _, n, _ in _by_sending_org() if n]


@metric(
    "transfers.processing_days",
    label="转接办理总天数",
    unit="天",
    dimension_label="党组织",
    composition=False,
)
def processing_days_by_org() -> Iterable[tuple[str, int]]:
    return [(org, days) for org, _, n, days in _by_sending_org() if n]
