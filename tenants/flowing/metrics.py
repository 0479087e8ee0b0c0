"""Flowing-member figures for the city dashboard (流动党员), integers only: the members
away by direction (市内流动 / 省内跨市 / 跨省流动 / 出国（境）), those holding the 活动证,
where they went (each destination, and the places out of the city by province for the
e-map's list), the members of other counties flowing in, and those whose report back is
overdue (``selectors.away``). The number of flowing members itself (``members.flowing``)
and 失联 (``members.lost_contact``) are the members app's. Per organization (the home
branch) too, so a committee's dashboard sums its own subtree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.utils import timezone

from shared.rollups.registry import OrgRow, Row, memo, metric
from shared.standards.models import CodeTable
from shared.standards.selectors import codes
from tenants.access.scope import Scope
from tenants.flowing.models import Direction, Inflow, Outflow, OutflowState
from tenants.flowing.selectors import away

Active = tuple[int, str, str, str, bool]  # org id, direction, destination, its code, card


@memo
def _active() -> list[Active]:
    """One pass over the outflows under way."""
    rows = Outflow.objects.filter(state=OutflowState.ACTIVE).values_list(
        "org_id", "direction", "destination", "destination_code", "card_serial"
    )
    return [(org, d, place, code, bool(serial)) for org, d, place, code, serial in rows]


def _per_org(pick: Iterable[tuple[int, str]]) -> list[OrgRow]:
    return [(org, dimension, n) for (org, dimension), n in Counter(pick).items()]


def _direction_per_org() -> list[OrgRow]:
    return _per_org((org, Direction(d).label) for org, d, *_ in _active())


@metric(
    "flowing.by_direction",
    label="流动党员流向",
    dimension_label="流向",
    order="stored",
    per_org=_direction_per_org,
)
def by_direction() -> Iterable[Row]:
    counts = Counter(d for _, d, *_ in _active())
    return [(d.label, counts[d.value]) for d in Direction]


@metric(
    "flowing.card_holders",
    label="持流动党员活动证的党员",
    per_org=lambda: _per_org((org, "") for org, *_, card in _active() if card),
)
def card_holders() -> Iterable[Row]:
    return [("", sum(1 for *_, card in _active() if card))]


@metric(
    "flowing.by_destination",
    label="流动党员流入地",
    dimension_label="流入地",
    per_org=lambda: _per_org((org, place) for org, _, place, *_ in _active()),
)
def by_destination() -> Iterable[Row]:
    return Counter(place for _, _, place, *_ in _active()).most_common()


def _province_names() -> dict[str, str]:
    return dict(codes(CodeTable.DESTINATION_REGION).values_list("code", "name"))


def _out_of_city() -> list[tuple[int, str]]:
    """(org id, province) of the members gone out of the city, not abroad: a city of this
    province counts under the province."""
    names = _province_names()
    out = []
    for org, direction, _, code, _ in _active():
        if direction in (Direction.IN_PROVINCE, Direction.OUT_OF_PROVINCE) and code:
            out.append((org, names.get(code[:2] + "0000", "其他省份")))
    return out


@metric(
    "flowing.by_province",
    label="流向市外的流动党员（按省份）",
    dimension_label="省份",
    per_org=lambda: _per_org(_out_of_city()),
)
def by_province() -> Iterable[Row]:
    return Counter(province for _, province in _out_of_city()).most_common()


@metric("flowing.inflow", label="流入党员")
def inflow() -> Iterable[Row]:
    """Members of other counties of the city flowing in, as this county keeps them."""
    return [("", Inflow.objects.exclude(state=Inflow.State.ENDED).count())]


@memo
def _overdue() -> list[int]:
    """Home org ids of the members away whose report back is overdue."""
    today = timezone.localdate()
    return [a.outflow.org_id for a in away(Scope.system(), today) if a.report_overdue(today)]


@metric(
    "flowing.overdue_reports",
    label="逾期未向党组织报告的流动党员",
    per_org=lambda: _per_org((org, "") for org in _overdue()),
)
def overdue_reports() -> Iterable[Row]:
    return [("", len(_overdue()))]
