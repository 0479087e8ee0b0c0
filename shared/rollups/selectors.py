"""Reads of the rollup tables for the dashboards, the report and the map.

Only ACTIVE counties that have been rolled up at least once are shown (a county still
being provisioned, suspended, or not yet rolled up is absent). A county's current
figures are its rows of its latest period. A subtree (a town committee's dashboard)
is the sum of the per-organization rows whose tree path starts with the subtree's path,
so only metrics declared with ``per_org`` exist below county level.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_

from django.db.models import F, Q, Sum
from django.utils import timezone

from shared.customers.models import Tenant
from shared.rollups.models import Figure, OrgFigure, OrgUnit, TenantRollup
from shared.rollups.registry import Metric, metrics

Values = dict[str, dict[str, int]]  # metric → dimension → value


@dataclass
class County:
    id: int
    name: str
    schema: str
    region_code: str
    period: date
    finished_at: datetime
    values: Values = field(default_factory=dict)


def metric_catalog() -> dict[str, Metric]:
    return {m.key: m for m in metrics()}


def rolled_counties() -> list[County]:
    states = (
        TenantRollup.objects.filter(tenant__status=Tenant.Status.ACTIVE)
        .select_related("tenant")
        .order_by("tenant__region_code", "tenant__schema_name")
    )
    return [
        County(
            s.tenant_id,
            s.tenant.name,
            s.tenant.schema_name,
            s.tenant.region_code or "",
            s.period,
            s.finished_at,
        )
        for s in states
    ]


def current_values(counties: list[County]) -> list[County]:
    """Fill each county's ``values`` with its latest period's figures (one query)."""
    by_id = {c.id: c for c in counties}
    rows = (
        Figure.objects.filter(tenant_id__in=list(by_id), period=F("tenant__rollup_state__period"))
        .values_list("tenant_id", "metric", "dimension", "value")
        .order_by("id")  # first-stored order: metrics with order="stored" list as declared
    )
    for tenant_id, metric, dimension, value in rows:
        by_id[tenant_id].values.setdefault(metric, {})[dimension] = value
    return counties


def city_counties() -> list[County]:
    return current_values(rolled_counties())


def county_by_id(tenant_id: int) -> County | None:
    found = [c for c in rolled_counties() if c.id == tenant_id]
    return current_values(found)[0] if found else None


def county_by_schema(schema: str) -> County | None:
    found = [c for c in rolled_counties() if c.schema == schema]
    return current_values(found)[0] if found else None


def totals(counties: list[County]) -> Values:
    out: Values = defaultdict(lambda: defaultdict(int))
    for county in counties:
        for metric, dims in county.values.items():
            for dimension, value in dims.items():
                out[metric][dimension] += value
    return {m: dict(d) for m, d in out.items()}


def _path_q(paths: tuple[str, ...]) -> Q:
    return reduce(or_, (Q(path__startswith=p) for p in paths))


def subtree_values(tenant_id: int, paths: tuple[str, ...]) -> Values:
    """Sum of the per-organization figures of the subtrees rooted at ``paths``."""
    if not paths:
        return {}
    rows = (
        OrgFigure.objects.filter(_path_q(paths), tenant_id=tenant_id)
        .values("metric", "dimension")
        .annotate(total=Sum("value"))
        .order_by()
    )
    out: Values = {}
    for row in rows:
        out.setdefault(row["metric"], {})[row["dimension"]] = row["total"]
    return out


@dataclass
class Unit:
    """An organization below the dashboard's root, with its subtree's figures."""

    org_id: int
    name: str
    type_code: str
    values: Values


def child_units(tenant_id: int, parent_paths: tuple[str, ...] | None) -> list[Unit]:
    """The organizations one level below each root (the county root when None), each with
    the figures of its whole subtree. Two queries whatever the number of units."""
    units = OrgUnit.objects.filter(tenant_id=tenant_id)
    if parent_paths is None:
        root = units.order_by("path").values_list("path", flat=True).first()
        if root is None:
            return []
        parent_paths = (root,)
    step = 4  # treebeard MP_Node steplen
    children = []
    for parent in parent_paths:
        children += list(
            units.filter(path__startswith=parent, path__regex=rf"^.{{{len(parent) + step}}}$")
            .order_by("path")
            .values_list("org_id", "path", "name", "type_code")
        )
    if not children:
        return []
    sums: dict[str, Values] = {path: {} for _, path, _, _ in children}
    rows = (
        OrgFigure.objects.filter(_path_q(tuple(sums)), tenant_id=tenant_id)
        .values_list("path", "metric", "dimension", "value")
        .order_by()
    )
    length = len(children[0][1])
    for path, metric, dimension, value in rows:
        key = path[:length]
        if key in sums:
            dims = sums[key].setdefault(metric, {})
            dims[dimension] = dims.get(dimension, 0) + value
    return [Unit(org_id, name, type_code, sums[path]) for org_id, path, name, type_code in children]


def trend(
    metric: str, *, days: int, tenant_id: int | None = None
) -> tuple[list[str], dict[int, list[int | None]]]:
    """Daily snapshots of a scalar metric: the periods and, per county, one value per day
    (None where the county had no rollup that day)."""
    since = timezone.localdate() - timedelta(days=days - 1)
    rows = Figure.objects.filter(
        metric=metric,
        dimension="",
        period__gte=since,
        tenant__status=Tenant.Status.ACTIVE,
    )
    if tenant_id is not None:
        rows = rows.filter(tenant_id=tenant_id)
    data = list(rows.values_list("tenant_id", "period", "value").order_by("period"))
    periods = sorted({p for _, p, _ in data})
    index = {p: i for i, p in enumerate(periods)}
    series: dict[int, list[int | None]] = {}
    for tenant, period, value in data:
        series.setdefault(tenant, [None] * len(periods))[index[period]] = value
    return [p.isoformat() for p in periods], series


def org_units(tenant_ids: list[int], paths: tuple[str, ...] | None = None):  # type: ignore[no-untyped-def]
    units = OrgUnit.objects.filter(tenant_id__in=tenant_ids)
    if paths is not None:
        units = units.filter(_path_q(paths)) if paths else units.none()
    return units


def org_figures_of(tenant_ids: list[int], paths: tuple[str, ...] | None = None) -> dict:
    """(tenant id, org id) → metric → dimension → value, for the map's popups."""
    rows = OrgFigure.objects.filter(tenant_id__in=tenant_ids)
    if paths is not None:
        rows = rows.filter(_path_q(paths)) if paths else rows.none()
    out: dict[tuple[int, int], Values] = {}
    for tenant_id, org_id, metric, dimension, value in rows.values_list(
        "tenant_id", "org_id", "metric", "dimension", "value"
    ).order_by():
        out.setdefault((tenant_id, org_id), {}).setdefault(metric, {})[dimension] = value
    return out
