"""Member development figures for the city dashboard (发展党员汇总指标), domain-rules §1.

People on the way per stage (入党申请人 … 预备党员, plus 正式党员 not yet archived), new
probationary members this year (approval at step 17), and overdue steps. Counts only:
never a person. Stages are keyed by their Chinese label (the model's choices), as the
dashboard, the report and the map show dimensions as stored.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count
from django.utils import timezone

from shared.rollups.registry import OrgRow, Row, memo, metric
from tenants.development.models import PIPELINE, DevelopmentRecord, Status, StepEntry
from tenants.development.reminders import due_items


@memo
def _per_org_by_stage() -> list[OrgRow]:
    rows = (
        DevelopmentRecord.objects.filter(status__in=PIPELINE)
        .values_list("org_id", "status")
        .annotate(n=Count("*"))
    )
    return [(org_id, Status(status).label, n) for org_id, status, n in rows]


@metric(
    "development.by_stage",
    label="发展党员各阶段人数",
    dimension_label="阶段",
    per_org=_per_org_by_stage,
    order="stored",
)
def by_stage() -> Iterable[Row]:
    counts: dict[str, int] = {}
    for _, stage, n in _per_org_by_stage():  # the county is the sum of its organizations
        counts[stage] = counts.get(stage, 0) + n
    return [(s.label, counts.get(s.label, 0)) for s in PIPELINE]


@metric("development.admitted_this_year", label="本年接收预备党员")
def admitted_this_year() -> Iterable[Row]:
    year = timezone.localdate().year
    n = StepEntry.objects.filter(
        step_number=17, state=StepEntry.State.DONE, done_on__year=year
    ).count()
    return [("", n)]


@metric("development.overdue_steps", label="发展党员超期未办步骤", unit="项")
def overdue_steps() -> Iterable[Row]:
    items = due_items(DevelopmentRecord.objects.all(), timezone.localdate())
    return [("", sum(1 for i in items if i.kind == "overdue"))]
