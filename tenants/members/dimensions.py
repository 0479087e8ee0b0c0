"""The dimensions of 党内统计 over members (年龄段、入党时间段), domain-rules §7: the code
tables ``age_band`` and ``joining_period`` as conditions on the member table, written
once for the statistics pages (``tenants.stats``) and the city dashboard's member
figures (``tenants.members.metrics``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q

from shared.standards.models import CodeTable
from shared.standards.selectors import codes


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier; 29 February becomes the 28th. Someone born
    on or before it is at least ``years`` old on ``day`` (the 周岁 rule of ``age_on``)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _range_q(field: str, low: Any, high: Any) -> Q:
    q = Q()
    if low is not None:
        q &= Q(**{f"{field}__gte": low})
    if high is not None:
        q &= Q(**{f"{field}__lte": high})
    return q


def age_bands(on: date) -> list[tuple[str, str, Q]]:
    """(code, name, condition) per age band: age on ``on`` between min and max years."""
    bands = []
    for code, name, extra in codes(CodeTable.AGE_BAND).values_list("code", "name", "extra"):
        low, high = extra.get("min"), extra.get("max")
        q = Q()
        if low:  # at least ``low``: born on or before ``on`` minus ``low`` years
            q &= Q(birth_date__lte=years_before(on, low))
        if high is not None:  # at most ``high``: born after ``on`` minus ``high + 1`` years
            q &= Q(birth_date__gt=years_before(on, high + 1))
        bands.append((code, name, q))
    return bands


def joining_periods() -> list[tuple[str, str, Q]]:
    """(code, name, condition) per joining period: joined between its from and to dates."""
    return [
        (code, name, _range_q("joined_at", extra.get("from"), extra.get("to")))
        for code, name, extra in codes(CodeTable.JOINING_PERIOD).values_list(
            "code", "name", "extra"
        )
    ]
