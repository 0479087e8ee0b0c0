"""Organization figures for the city dashboard (党组织汇总指标), domain-rules §5 and §7.

* organizations by type (基层党委 / 党总支 / 党支部 …, ``standards.OrganizationType``) and
  by category (①–⑨, code table ``org_category``), active ones only;
* (branches with fewer than 3 full members, ``orgs.small_branches``, count members: they
  are declared with the member figures, ``tenants.members.metrics``, which may read
  organizations; this app may not read members);
* terms (任期) already ended or ending within ``rollups.term_warning_days`` (a county rule);
* organizations placed on the e-map (with coordinates).

Also the organization directory (id, tree path, name, type, category, coordinates) that
lets the dashboard sum a subtree and the e-map place an organization.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone

from shared.rollups.registry import (
    OrgEntry,
    OrgRow,
    Row,
    memo,
    metric,
    organization_directory,
    run_memo,
)
from shared.standards.models import CodeTable, OrganizationType
from shared.standards.selectors import code_choices
from tenants.orgs.models import Organization
from tenants.rules.selectors import rule_value

UNKNOWN = "未填写"


@memo
def active_orgs() -> list[dict]:
    return list(
        Organization.objects.filter(is_active=True)
        .order_by("path")
        .values(
            "id", "path", "name", "type_code", "category_code", "latitude", "longitude",
            "term_ends_at",
        )
    )  # fmt: skip


@run_memo
def _type_names() -> dict[str, str]:
    return dict(OrganizationType.objects.values_list("code", "name"))


@run_memo
def _category_names() -> dict[str, str]:
    return dict(code_choices(CodeTable.ORG_CATEGORY))


def _counted(rows: Iterable[tuple[int, str]]) -> list[Row]:
    counts: dict[str, int] = {}
    for _, dimension in rows:
        counts[dimension] = counts.get(dimension, 0) + 1
    return list(counts.items())


def _by_type() -> list[tuple[int, str]]:
    names = _type_names()
    return [(o["id"], names.get(o["type_code"], "其他")) for o in active_orgs()]


def _by_category() -> list[tuple[int, str]]:
    names = _category_names()
    return [(o["id"], names.get(o["category_code"], UNKNOWN)) for o in active_orgs()]


@memo
def _terms() -> list[tuple[int, str]]:
    today = timezone.localdate()
    days = int(rule_value("rollups.term_warning_days"))
    soon = today + timedelta(days=days)
    out = []
    for o in active_orgs():
        ends = o["term_ends_at"]
        if ends is None:
            continue
        if ends < today:
            out.append((o["id"], "已届满"))
        elif ends <= soon:
            out.append((o["id"], f"{days}天内届满"))
    return out


def _ones(rows: Iterable[tuple[int, str]]) -> Iterable[OrgRow]:
    return ((org_id, dimension, 1) for org_id, dimension in rows)


@metric("orgs.total", label="党组织总数", unit="个", per_org=lambda: _ones(
    (o["id"], "") for o in active_orgs()
))  # fmt: skip
def orgs_total() -> Iterable[Row]:
    return [("", len(active_orgs()))]


@metric(
    "orgs.by_type",
    label="党组织类型",
    unit="个",
    dimension_label="组织类型",
    per_org=lambda: _ones(_by_type()),
)
def orgs_by_type() -> Iterable[Row]:
    return _counted(_by_type())


@metric(
    "orgs.by_category",
    label="党组织类别",
    unit="个",
    dimension_label="组织类别",
    per_org=lambda: _ones(_by_category()),
)
def orgs_by_category() -> Iterable[Row]:
    return _counted(_by_category())


@metric(
    "orgs.term_due",
    label="换届到期党组织",
    unit="个",
    dimension_label="届满情况",
    per_org=lambda: _ones(_terms()),
)
def orgs_term_due() -> Iterable[Row]:
    return _counted(_terms())


@metric("orgs.located", label="已标注位置的党组织", unit="个")
def orgs_located() -> Iterable[Row]:
    return [
        (
            "",
            sum(
                1 for o in active_orgs() if o["latitude"] is not None and o["longitude"] is not None
            ),
        )
    ]


@organization_directory
def org_directory() -> Iterable[OrgEntry]:
    return (
        OrgEntry(
            org_id=o["id"],
            path=o["path"],
            name=o["name"],
            type_code=o["type_code"],
            category_code=o["category_code"],
            latitude=o["latitude"],
            longitude=o["longitude"],
        )
        for o in active_orgs()
    )
