"""Rollup figures of transfers (组织关系转接): pending counts and processing time per
sending organization (dimension: the organization's id in this county), for the city
dashboard and, later, the assessment. The average is total days ÷ completed count."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, F, Sum
from django.db.models.functions import Extract

from shared.rollups.registry import metric
from tenants.transfers.models import OPEN_STATES, State, Transfer


@metric("transfers.pending", label="在办组织关系转接", unit="件", dimension_label="党组织")
def pending_by_org() -> Iterable[tuple[str, int]]:
    rows = (
        Transfer.objects.filter(state__in=OPEN_STATES).values("from_org_id").annotate(n=Count("*"))
    )
    return [(str(r["from_org_id"] or ""), r["n"]) for r in rows]


@metric("transfers.completed", label="已办结组织关系转接", unit="件", dimension_label="党组织")
def completed_by_org() -> Iterable[tuple[str, int]]:
    rows = (
        Transfer.objects.filter(state=State.COMPLETED).values("from_org_id").annotate(n=Count("*"))
    )
    return [(str(r["from_org_id"] or ""), r["n"]) for r in rows]


@metric("transfers.processing_days", label="转接办理总天数", unit="天", dimension_label="党组织")
def processing_days_by_org() -> Iterable[tuple[str, int]]:
    rows = (
        Transfer.objects.filter(state=State.COMPLETED, completed_at__isnull=False)
        .values("from_org_id")
        .annotate(seconds=Sum(Extract(F("completed_at") - F("created_at"), "epoch")))
    )
    return [(str(r["from_org_id"] or ""), int((r["seconds"] or 0) // 86400)) for r in rows]
