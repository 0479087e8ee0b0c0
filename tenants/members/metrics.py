"""Member figures for the city dashboard (党员汇总指标), domain-rules §7 (党内统计).

Counted by formal organization relationship: the members of the county on the roll
today (party status flagged ``on_roll``: 正常 and 停止党籍), in their current
organization. The dimensions are those of 党内统计: sex, minorities, college and above,
category (正式/预备), age bands and joining periods (code tables ``age_band`` and
``joining_period``, read through ``tenants.members.dimensions`` so the 周岁 rule is
written once, shared with 党内统计), education by GB/T 4658 category, occupation; plus
flowing (流动党员), lost contact (失联) and profile completeness (信息完整度: items
filled and items expected, the items of ``tenants.members.completeness``, the same as
the member page's percentage). Also ``orgs.small_branches``, which counts members.

Every figure comes from ONE grouped query (``count(*) FILTER (WHERE …)`` per cell,
grouped by organization), shared by the metrics through ``memo``: the county figures
are the organizations' cells summed, so a rollup reads the members table once, whatever
the number of metrics.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from shared.rollups.registry import CountAll, OrgRow, Row, memo, metric, run_memo
from shared.standards.models import CodeTable
from shared.standards.selectors import codes, codes_flagged
from tenants.members.completeness import ITEMS, item_conditions
from tenants.members.dimensions import age_bands, joining_periods
from tenants.members.models import Member, Sex
from tenants.orgs.metrics import active_orgs

UNKNOWN = "未填写"
PROBATIONARY = "probationary"
SUSPENDED = "suspended"
# Cells of the completeness items (one per item, members with it filled): not a metric of
# their own, summed per organization into ``members.profile_filled``.
PROFILE_ITEM = "members.profile_item"
BRANCH = "branch"
MIN_FULL_MEMBERS = 3  # 《中国共产党章程》第三十条: 正式党员三人以上的，都应当成立党的基层组织


def counted_members() -> Any:
    """Members on the roll today (在册), the base of every member figure."""
    return Member.objects.filter(
        party_status_code__in=codes_flagged(CodeTable.PARTY_STATUS, "on_roll")
    )


def _dimension_filters() -> dict[str, list[tuple[str, Q]]]:
    """Per dimensional metric, its (dimension name, condition) cells in display order."""
    today = timezone.localdate()
    education = list(codes(CodeTable.EDUCATION).values_list("code", "name", "parent_code"))
    by_category: dict[str, list[str]] = {}
    for code, _, parent in education:
        by_category.setdefault(parent or code, []).append(code)
    return {
        "members.by_sex": [(s.label, Q(sex=s.value)) for s in (Sex.MALE, Sex.FEMALE)],
        "members.by_category": [
            ("正式党员", ~Q(category_code=PROBATIONARY)),
            ("预备党员", Q(category_code=PROBATIONARY)),
        ],
        "members.by_age": [(name, q) for _, name, q in age_bands(today)],
        "members.by_joining_period": [(name, q) for _, name, q in joining_periods()],
        "members.by_education": [
            (name, Q(education_code__in=by_category.get(code, [code])))
            for code, name, parent in education
            if not parent
        ],
        "members.by_occupation": [
            (name, Q(occupation_code=code))
            for code, name in codes(CodeTable.OCCUPATION).values_list("code", "name")
        ],
        PROFILE_ITEM: item_conditions(),
    }


SCALARS = {
    "members.minorities": lambda: Q(
        ethnicity_code__in=codes_flagged(CodeTable.ETHNICITY, "minority")
    ),
    "members.college": lambda: Q(
        education_code__in=codes_flagged(CodeTable.EDUCATION, "college_or_above")
    ),
    "members.suspended": lambda: Q(party_status_code=SUSPENDED),
    "members.flowing": lambda: Q(flowing=True),
    "members.lost_contact": lambda: Q(lost_contact=True),
}
# Dimensions whose codes may be blank or unknown get a 未填写 remainder.
WITH_REMAINDER = ("members.by_education", "members.by_occupation")


@run_memo
def _statement() -> tuple[str, tuple[Any, ...], dict[str, tuple[str, str]]]:
    """The grouped pass as SQL, built once per city run: it depends only on the code
    tables (public) and today's date, and names no schema (the connection's search path
    picks the county). Returns the SQL, its parameters and the cells by column alias."""
    aggregates: dict[str, Any] = {"total": CountAll()}
    names: dict[str, tuple[str, str]] = {}
    for key, items in _dimension_filters().items():
        for name, q in items:
            alias = f"c{len(names)}"
            aggregates[alias] = CountAll(filter=q)
            names[alias] = (key, name)
    for key, make_q in SCALARS.items():
        alias = f"c{len(names)}"
        aggregates[alias] = CountAll(filter=make_q())
        names[alias] = (key, "")
    query = counted_members().order_by().values("org_id").annotate(**aggregates).query
    sql, params = query.sql_with_params()
    return sql, params, names


@memo
def _cells() -> tuple[dict[tuple[str, str], int], list[tuple[int, ...]]]:
    """ONE grouped pass over the members table: every cell counted per organization.
    Returns each cell's (metric, dimension) → column index, and one tuple per
    organization (``org_id`` first). Read as plain tuples: 40,000 members make ~700
    rows of ~45 counts, which the ORM's per-value converters would triple in time."""
    sql, params, names = _statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c.name for c in cursor.description]
        rows = cursor.fetchall()
    index = {names[a]: i for i, a in enumerate(columns) if a in names}
    index[("members.total", "")] = columns.index("total")
    return index, rows


@memo
def county_figures() -> dict[str, list[Row]]:
    """Every county-wide member figure: the per-organization cells summed."""
    index, rows = _cells()
    sums = [sum(column) for column in zip(*rows, strict=True)] if rows else None
    out: dict[str, list[Row]] = {}
    for (key, name), i in index.items():  # cells in declaration order, total last
        out.setdefault(key, []).append((name, sums[i] if sums else 0))
    total = out["members.total"][0][1]
    for key in WITH_REMAINDER:
        rest = total - sum(n for _, n in out.get(key, []))
        if rest:
            out.setdefault(key, []).append((UNKNOWN, rest))
    return out


def org_cells(*cells: tuple[str, str]) -> Iterable[tuple[int, tuple[int, ...]]]:
    """Per organization (its own members), the values of the (metric, dimension) cells."""
    index, rows = _cells()
    picked = [index[c] for c in cells]
    return [(row[0], tuple(row[i] for i in picked)) for row in rows]


def _per_org(key: str, *dimensions: str) -> list[OrgRow]:
    index, rows = _cells()
    picked = [(dimension, index[(key, dimension)]) for dimension in dimensions]
    return [(row[0], dimension, row[i]) for row in rows for dimension, i in picked if row[i]]


def _county(key: str) -> Iterable[Row]:
    return county_figures().get(key, [])


@metric(
    "members.total",
    label="党员总数",
    per_org=lambda: _per_org("members.total", ""),
)
def members_total() -> Iterable[Row]:
    return _county("members.total")


@metric(
    "members.by_sex",
    label="党员性别",
    dimension_label="性别",
    per_org=lambda: _per_org("members.by_sex", Sex.MALE.label, Sex.FEMALE.label),
)
def members_by_sex() -> Iterable[Row]:
    return _county("members.by_sex")


@metric(
    "members.by_category",
    label="人员类别",
    dimension_label="人员类别",
    per_org=lambda: _per_org("members.by_category", "正式党员", "预备党员"),
)
def members_by_category() -> Iterable[Row]:
    return _county("members.by_category")


@metric("members.by_age", label="年龄结构", dimension_label="年龄段", order="stored")
def members_by_age() -> Iterable[Row]:
    return _county("members.by_age")


@metric("members.by_joining_period", label="入党时间", dimension_label="入党时间段", order="stored")
def members_by_joining_period() -> Iterable[Row]:
    return _county("members.by_joining_period")


@metric("members.by_education", label="学历", dimension_label="学历")
def members_by_education() -> Iterable[Row]:
    return _county("members.by_education")


@metric("members.by_occupation", label="职业", dimension_label="职业")
def members_by_occupation() -> Iterable[Row]:
    return _county("members.by_occupation")


@metric(
    "members.minorities", label="少数民族党员", per_org=lambda: _per_org("members.minorities", "")
)
def members_minorities() -> Iterable[Row]:
    return _county("members.minorities")


@metric(
    "members.college", label="大专及以上学历党员", per_org=lambda: _per_org("members.college", "")
)
def members_college() -> Iterable[Row]:
    return _county("members.college")


@metric("members.suspended", label="停止党籍党员")
def members_suspended() -> Iterable[Row]:
    return _county("members.suspended")


@metric("members.flowing", label="流动党员", per_org=lambda: _per_org("members.flowing", ""))
def members_flowing() -> Iterable[Row]:
    return _county("members.flowing")


@metric("members.lost_contact", label="失联党员")
def members_lost_contact() -> Iterable[Row]:
    return _county("members.lost_contact")


def _profile_per_org() -> list[tuple[int, int, int]]:
    """Per organization: (org id, items filled, items expected) of its own members."""
    index, rows = _cells()
    items = [i for (key, _), i in index.items() if key == PROFILE_ITEM]
    total = index[("members.total", "")]
    return [(row[0], sum(row[i] for i in items), row[total] * len(ITEMS)) for row in rows]


@metric(
    "members.profile_filled",
    label="党员信息已填项",
    unit="项",
    per_org=lambda: [(org, "", n) for org, n, _ in _profile_per_org() if n],
)
def members_profile_filled() -> Iterable[Row]:
    return [("", sum(n for _, n, _ in _profile_per_org()))]


@metric(
    "members.profile_items",
    label="党员信息应填项",
    unit="项",
    per_org=lambda: [(org, "", n) for org, _, n in _profile_per_org() if n],
)
def members_profile_items() -> Iterable[Row]:
    return [("", sum(n for _, _, n in _profile_per_org()))]


@memo
def _small_branches() -> list[int]:
    # Full members per organization come from the members' single grouped pass.
    full = {org_id: n for org_id, (n,) in org_cells(("members.by_category", "正式党员"))}
    return [
        o["id"]
        for o in active_orgs()
        if o["type_code"] == BRANCH and full.get(o["id"], 0) < MIN_FULL_MEMBERS
    ]


# An organization figure that counts members: declared here, above both apps (the
# organizations app does not read members).
@metric(
    "orgs.small_branches",
    label="正式党员不足3人的党支部",
    unit="个",
    per_org=lambda: ((org_id, "", 1) for org_id in _small_branches()),
)
def orgs_small_branches() -> Iterable[Row]:
    return [("", len(_small_branches()))]
