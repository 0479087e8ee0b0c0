"""1. Developments (发展党员, domain-rules §1): what one county's records need, read once —
the step template with the county's rule values, the working-day calendar (工作日), the
branches by size and their full members, the ID-number indexes in use."""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bench.city.extras.common import _admin, _days, _place
from bench.city.pools import Weighted


class _Calendar:
    """Working days (工作日) from the standards' holiday exceptions, read once; the app's
    ``calendar.working_days`` checks every publicity period again."""

    def __init__(self) -> None:
        from shared.standards.models import CalendarDay

        self.exceptions = dict(CalendarDay.objects.values_list("date", "is_workday"))

    def workday(self, day: date) -> bool:
        return self.exceptions.get(day, day.weekday() < 5)

    def forward(self, start: date, n: int) -> date:
        """The ``n``-th working day counted from ``start`` (included)."""
        day, counted = start - _days(1), 0
        while counted < n:
            day += _days(1)
            counted += self.workday(day)
        return day

    def backward(self, end: date, n: int) -> date:
        """The latest start with ``n`` working days from it to ``end`` (both included)."""
        day, counted = end + _days(1), 0
        while counted < n:
            day -= _days(1)
            counted += self.workday(day)
        return day


@dataclass
class _Dev:
    """What one county's development records need, read once."""

    today: date
    region: str
    place: str
    admin: Any
    scope: Any
    steps: dict[int, Any]  # the template, rule parameters resolved to their values
    months: dict[str, int]
    calendar: _Calendar
    branches: Weighted[Any]
    eligible: dict[int, list[int]]  # branch → full members in good standing
    everyone: list[int]
    taken: set[str]  # ID-number indexes in use (members and records)
    names: dict[int, str] = field(default_factory=dict)
    committees: dict[tuple[int, bool], Any] = field(default_factory=dict)


@dataclass
class _Plan:
    """One record's path: the steps done (number, date), a submission waiting for a
    committee, the publicity period and the member it is (预备党员 and later)."""

    status: str
    steps: list[tuple[int, date]]
    pending: tuple[int, date] | None = None
    publicity: tuple[date, date] | None = None
    member: Any = None


def _rule(step: Any, kind: str, **match: object) -> dict[str, Any]:
    return next(
        r for r in step.rules if r["kind"] == kind and all(r.get(k) == v for k, v in match.items())
    )


def _resolved_steps() -> dict[int, Any]:
    """The step template with every rule parameter replaced by its value in force (the
    app's ``interval_of``): checking thousands of steps reads the rules once."""
    from tenants.development.steps import interval_of, steps

    def inline(rule: dict[str, Any]) -> dict[str, Any]:
        if "rule" not in rule:
            return rule
        interval = interval_of(rule)
        key = "months" if interval.unit == "months" else "days"
        return {**{k: v for k, v in rule.items() if k != "rule"}, key: interval.amount}

    out = {}
    for number, template in steps().items():
        step = copy.copy(template)
        step.rules = [inline(r) for r in template.rules]
        out[number] = step
    return out


def _intervals(steps: dict[int, Any]) -> dict[str, int]:
    """The intervals the dates are drawn from (the county's values where configurable)."""
    return {
        "activist": _rule(steps[3], "after")["months"],
        "review": _rule(steps[6], "within")["months"],
        "target": _rule(steps[7], "after")["months"],
        "publicity": _rule(steps[13], "publicity")["days"],
        "probation": _rule(steps[17], "probation")["months"],
    }


def _dev_context(schema: str, today: date) -> _Dev:
    from django.db.models import Count

    from shared.standards.models import OrganizationType
    from tenants.access.scope import scope_for
    from tenants.development.models import DevelopmentRecord
    from tenants.members.models import Member
    from tenants.orgs.models import Organization

    holding = OrganizationType.objects.filter(holds_members=True).values_list("code", flat=True)
    sizes = dict(
        Member.objects.filter(party_status_code="normal")
        .order_by()
        .values_list("org_id")
        .annotate(n=Count("*"))
    )
    branches = [
        (b, sizes[b.pk])
        for b in Organization.objects.filter(is_active=True, type_code__in=list(holding))
        .order_by("path")
        .iterator()
        if sizes.get(b.pk)
    ]
    eligible: dict[int, list[int]] = defaultdict(list)
    full = Member.objects.filter(
        category_code="full", party_status_code="normal", lost_contact=False
    )
    for org_id, pk in full.order_by("id_number_index").values_list("org_id", "pk"):
        eligible[org_id].append(pk)
    taken = set(Member.objects.values_list("id_number_index", flat=True))
    taken |= set(DevelopmentRecord.objects.values_list("id_number_index", flat=True))
    steps = _resolved_steps()
    admin = _admin()
    region, place = _place(schema)
    return _Dev(
        today=today,
        region=region,
        place=place,
        admin=admin,
        scope=scope_for(admin),
        steps=steps,
        months=_intervals(steps),
        calendar=_Calendar(),
        branches=Weighted(branches),
        eligible=eligible,
        everyone=[pk for pks in eligible.values() for pk in pks],
        taken=taken,
        names={n: s.name for n, s in steps.items()},
    )
