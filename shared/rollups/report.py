"""The dashboard's content (看板内容), built from rollup values: key figures, rates, the
per-county (or per-unit) table and ranking, dimensional charts and the trend.

Rates are computed here from a numerator and a denominator metric (never stored):
women share, college share, probationary share, profile completeness.
The same payload feeds the page, its live refresh (JSON), and the Excel/PDF report.
What people read is prepared here once (``zhdj.formats``): money in 元 (stored in 分),
moments in Beijing time (``rolled_at_text``), each dimension's ``share`` only where its
dimensions split one whole.
"""

from __future__ import annotations

from typing import Any

from shared.rollups.registry import Metric
from shared.rollups.selectors import County, Unit, Values, metric_catalog, trend
from zhdj.formats import beijing, yuan, yuan_value

KPIS = (
    "members.total",
    "orgs.total",
    "members.flowing",
    "orgs.small_branches",
)
# (key, label, numerator metric, numerator dimension, denominator metric)
RATES = (
    ("women_rate", "女党员占比", "members.by_sex", "女", "members.total"),
    ("college_rate", "大专及以上占比", "members.college", "", "members.total"),
    ("probationary_rate", "预备党员占比", "members.by_category", "预备党员", "members.total"),
    # Items filled ÷ items expected: the member page's 完整度 over all members.
    ("complete_rate", "信息完整率", "members.profile_filled", "", "members.profile_items"),
    # Learning (学习教育): members reaching the yearly class hours; closed test attempts passed.
    ("learning_target_rate", "学时达标率", "learning.members_reaching_target", "", "members.total"),
    (
        "learning_pass_rate",
        "考试合格率",
        "learning.attempts_by_result",
        "合格",
        "learning.attempts_by_result",
    ),
)
# (key, label, numerator metric, denominator metric, unit): a figure per member, one decimal.
AVERAGES = (("learning_hours", "人均学时", "learning.class_hours", "members.total", "学时"),)
TABLE_COLUMNS = (
    ("members.total", "", "党员"),
    ("orgs.total", "", "党组织"),
    ("members.by_category", "预备党员", "预备党员"),
    ("members.flowing", "", "流动党员"),
    ("orgs.small_branches", "", "不足3人支部"),
    # Flowing members (流动党员): card holders, members flowing in, reports back overdue.
    ("flowing.card_holders", "", "持活动证"),
    ("flowing.inflow", "", "流入党员"),
    ("flowing.overdue_reports", "", "报告逾期"),
)
# Derived figures in the per-county table, after the counts.
TABLE_FIGURES = (
    ("complete_rate", "信息完整率%"),
    ("learning_hours", "人均学时"),
    ("learning_target_rate", "学时达标率%"),
    ("learning_pass_rate", "考试合格率%"),
)
CHARTS = (
    ("members.by_sex", "pie"),
    ("members.by_category", "pie"),
    ("members.by_age", "bar"),
    ("members.by_education", "bar"),
    ("members.by_occupation", "bar"),
    ("members.by_joining_period", "bar"),
    ("orgs.by_type", "pie"),
    ("orgs.by_category", "bar"),
    ("orgs.term_due", "bar"),
    ("flowing.by_direction", "pie"),
    ("flowing.by_province", "bar"),
)


def value(values: Values, metric: str, dimension: str = "") -> int:
    return values.get(metric, {}).get(dimension, 0)


def total_of(values: Values, metric: str) -> int:
    """A metric's whole: a scalar's value, a dimensional metric's sum over its dimensions."""
    return sum(values.get(metric, {}).values())


def rate(values: Values, numerator: str, dimension: str, denominator: str) -> float | None:
    total = total_of(values, denominator)
    if not total:
        return None
    return round(100 * value(values, numerator, dimension) / total, 1)


def _row(name: str, values: Values, **extra: Any) -> dict[str, Any]:
    row = {"name": name, **extra}
    for metric, dimension, _ in TABLE_COLUMNS:
        row[f"{metric}:{dimension}"] = value(values, metric, dimension)
    figures = derived(values)
    for key, _ in TABLE_FIGURES:
        row[key] = figures.get(key)
    return row


def derived(values: Values) -> dict[str, float | None]:
    """Every rate and per-member figure of ``values`` by its key."""
    out: dict[str, float | None] = {
        key: rate(values, numerator, dimension, denominator)
        for key, _, numerator, dimension, denominator in RATES
    }
    for key, _, numerator, denominator, _ in AVERAGES:
        members = value(values, denominator)
        out[key] = round(value(values, numerator) / members, 1) if members else None
    return out


def _kpis(values: Values, catalog: dict[str, Metric]) -> list[dict[str, Any]]:
    out = []
    for key in KPIS:
        if key in catalog and key in values:
            m = catalog[key]
            out.append({"key": key, "label": m.label, "value": value(values, key), "unit": m.unit})
    for key, label, numerator, dimension, denominator in RATES:
        if numerator in values:
            r = rate(values, numerator, dimension, denominator)
            out.append({"key": key, "label": label, "value": r, "unit": "%"})
    figures = derived(values)
    for key, label, numerator, _, unit in AVERAGES:
        if numerator in values and figures[key] is not None:
            out.append({"key": key, "label": label, "value": figures[key], "unit": unit})
    return out


def _dimensions(values: Values, catalog: dict[str, Metric]) -> list[dict[str, Any]]:
    out = []
    charted = dict(CHARTS)
    keys = [k for k, _ in CHARTS] + sorted(
        k for k, m in catalog.items() if not m.is_scalar and k not in charted
    )
    for key in keys:
        m = catalog.get(key)
        if m is None or key not in values:
            continue
        stored = list(values[key].items())
        if m.order == "value":
            stored.sort(key=lambda item: -item[1])
        elif m.order == "dimension":
            stored.sort()
        total = sum(v for _, v in stored)
        rows = []
        for d, v in stored:
            row: dict[str, Any] = {"name": d or "合计", "value": v, "text": f"{v:,}"}
            if m.is_money:
                row.update(value=yuan_value(v), text=yuan(v))
            if m.composition:
                row["share"] = round(100 * v / total, 1) if total else None
            rows.append(row)
        out.append(
            {
                "key": key,
                "label": m.label,
                "unit": "元" if m.is_money else m.unit,
                "dimension_label": m.dimension_label,
                "chart": charted.get(key, "bar"),
                "composition": m.composition,
                "rows": rows,
                "max": max((r["value"] for r in rows), default=0),
            }
        )
    return out


def _scalars(values: Values, catalog: dict[str, Metric]) -> list[dict[str, Any]]:
    out = []
    for k, m in sorted(catalog.items()):
        if m.is_scalar and k in values:
            v = value(values, k)
            if m.is_money:
                out.append({"key": k, "label": m.label, "unit": "元", "value": yuan_value(v)})
            else:
                out.append({"key": k, "label": m.label, "unit": m.unit, "value": v})
    return out


def _days(periods: list[str]) -> list[str]:
    """ "2026-12-06" → "12月6日" (the trend's axis)."""
    return [f"{int(p[5:7])}月{int(p[8:10])}日" for p in periods]


def columns() -> list[dict[str, str]]:
    return [{"key": f"{m}:{d}", "label": label} for m, d, label in TABLE_COLUMNS] + [
        {"key": key, "label": label} for key, label in TABLE_FIGURES
    ]


def city_payload(counties: list[County], city: Values, *, days: int = 30) -> dict[str, Any]:
    catalog = metric_catalog()
    periods, series = trend("members.total", days=days)
    periods = _days(periods)
    names = {c.id: c.name for c in counties}
    city_series = [
        sum(s[i] or 0 for t, s in series.items() if t in names) for i in range(len(periods))
    ]
    rows = [_row(c.name, c.values, id=c.id, rolled_at=c.finished_at.isoformat()) for c in counties]
    latest = max((c.finished_at for c in counties), default=None)
    return {
        "scope": "city",
        "title": "全市",
        "rolled_at": latest.isoformat() if latest else None,
        "rolled_at_text": beijing(latest),
        "counties": len(counties),
        "kpis": _kpis(city, catalog),
        "columns": columns(),
        "rows": rows,
        "ranking": sorted(
            ({"name": r["name"], "value": r["members.total:"]} for r in rows),
            key=lambda r: r["value"],
        ),
        "dimensions": _dimensions(city, catalog),
        "scalars": _scalars(city, catalog),
        "trend": {
            "periods": periods,
            "series": [{"name": "全市", "data": city_series}]
            + [{"name": names[t], "data": s} for t, s in series.items() if t in names],
        },
    }


def county_payload(
    *, title: str, county: County, values: Values, units: list[Unit], whole: bool, days: int = 30
) -> dict[str, Any]:
    catalog = metric_catalog()
    payload: dict[str, Any] = {
        "scope": "county",
        "title": title,
        "rolled_at": county.finished_at.isoformat(),
        "rolled_at_text": beijing(county.finished_at),
        "kpis": _kpis(values, catalog),
        "columns": columns(),
        "rows": [_row(u.name, u.values, id=u.org_id) for u in units],
        "ranking": sorted(
            ({"name": u.name, "value": value(u.values, "members.total")} for u in units),
            key=lambda r: r["value"],
        ),
        "dimensions": _dimensions(values, catalog),
        "scalars": _scalars(values, catalog),
        "trend": {"periods": [], "series": []},
    }
    if whole:
        periods, series = trend("members.total", days=days, tenant_id=county.id)
        periods = _days(periods)
        payload["trend"] = {
            "periods": periods,
            "series": [{"name": county.name, "data": series.get(county.id, [])}],
        }
    return payload
