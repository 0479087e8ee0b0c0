"""Organizational life figures for the city dashboard (组织生活达标), integers only.

``orglife.branches_by_status`` counts branches by their compliance this year (达标 /
待改进 / 未达标, ``compliance``), ``orglife.silent_branches`` the branches where nothing
was held for ``orglife.silent_days``; ``orglife.meetings_held`` the meetings held this year
by type. Per organization too, so a committee's dashboard sums its own subtree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import Count
from django.utils import timezone

from shared.rollups.registry import memo, metric
from tenants.access.scope import Scope
from tenants.orglife.compliance import HELD, STATUS_LABELS, BranchCompliance, compliance
from tenants.orglife.models import Meeting
from tenants.orglife.types import type_names


@memo
def _branches() -> list[BranchCompliance]:
    return compliance(Scope.system())


def _status_per_org() -> Iterable[tuple[int, str, int]]:
    return [(b.org.pk, b.status_label, 1) for b in _branches()]


@metric(
    "orglife.branches_by_status",
    label="支部组织生活达标情况",
    unit="个",
    dimension_label="达标情况",
    order="stored",
    per_org=_status_per_org,
)
def branches_by_status() -> Iterable[tuple[str, int]]:
    counts = Counter(b.status for b in _branches())
    return [(STATUS_LABELS[s], counts[s]) for s in STATUS_LABELS if counts[s]]


def _silent_per_org() -> Iterable[tuple[int, str, int]]:
    return [(b.org.pk, "", 1) for b in _branches() if b.silent]


@metric("orglife.silent_branches", label="静默支部", unit="个", per_org=_silent_per_org)
def silent_branches() -> Iterable[tuple[str, int]]:
    return [("", sum(1 for b in _branches() if b.silent))]


@metric(
    "orglife.meetings_held", label="今年召开的组织生活会议", unit="次", dimension_label="会议类型"
)
def meetings_held() -> Iterable[tuple[str, int]]:
    names = type_names()
    rows = (
        Meeting.objects.filter(status__in=HELD, starts_at__year=timezone.localdate().year)
        .values_list("type_code")
        .annotate(n=Count("*"))
    )
    return [(names.get(code, code), n) for code, n in rows]
