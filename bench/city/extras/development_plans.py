"""1. Developments (发展党员): each record's plan — the steps done and the day of each, drawn
so that every rule of the template holds with the county's values, some late, some waiting
for a committee (the shares: the package docstring)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from bench.city.extras.common import _days
from bench.city.extras.development_context import _Dev, _Plan

FULL_WITHIN_DAYS = 150  # members made full this recently still have an open file


def _plans(c: _Dev, rng: random.Random, stage: str, n: int) -> list[_Plan]:
    if stage in ("probationary", "full"):
        plans = []
        for member in _admitted_members(c, rng, stage, n):
            plan = _admitted(c, rng, member, full=stage == "full")
            if plan is not None:
                plans.append(plan)
            if len(plans) == n:
                break
        return plans
    make = {"applicant": _applicant, "activist": _activist, "target": _target}[stage]
    return [make(c, rng) for _ in range(n)]


def _talk_gap(rng: random.Random) -> timedelta:
    """Application → talk: within the month, one in ten late."""
    return _days(rng.randint(3, 28) if rng.random() < 0.9 else rng.randint(33, 70))


def _approval_gap(rng: random.Random) -> timedelta:
    """Branch meeting → approval: within 3 months, some late (never past 6)."""
    return _days(rng.randint(10, 80) if rng.random() < 0.85 else rng.randint(95, 170))


def _early(c: _Dev, rng: random.Random, d3: date) -> list[tuple[int, date]]:
    """Steps 1–2 before an activist date ``d3`` (at least the configured months)."""
    from tenants.development.steps import add_months

    d1 = add_months(d3, -c.months["activist"]) - _days(rng.randint(0, 120))
    return [(1, d1), (2, min(d3, d1 + _talk_gap(rng)))]


def _cultivation(
    c: _Dev, rng: random.Random, d3: date, until: date, *, stall: bool = False
) -> tuple[list[tuple[int, date]], tuple[int, date] | None]:
    """Steps 4–6 from ``d3`` up to ``until``: filing, contacts, a review every half to one
    interval (6 months unless the county says otherwise; one in twenty late). ``stall``:
    the reviews stopped 7–13 months ago."""
    d4, d5 = d3 + _days(rng.randint(2, 25)), d3 + _days(rng.randint(0, 15))
    done: list[tuple[int, date]] = []
    pending = None
    if d4 <= until:
        done.append((4, d4))
    elif rng.random() < 0.7:
        pending = (4, d3 + _days(rng.randint(0, (until - d3).days)))
    if d5 > until:
        return done, pending
    done.append((5, d5))
    last, limit = d5, until - _days(rng.randint(200, 400)) if stall else until
    span = c.months["review"] * 30  # a month is at least 28 days: span − 6 is within it
    while True:
        late = rng.random() < 0.05
        gap = rng.randint(span + 10, span + 60) if late else rng.randint(span // 2, span - 6)
        if last + _days(gap) > limit:
            return done, pending
        last += _days(gap)
        done.append((6, last))


def _applicant(c: _Dev, rng: random.Random) -> _Plan:
    d1 = c.today - _days(rng.randint(3, 90) if rng.random() < 0.6 else rng.randint(91, 330))
    d2 = d1 + _talk_gap(rng)
    steps = [(1, d1)]
    if d2 <= c.today and rng.random() < 0.85:
        steps.append((2, d2))
    return _Plan("applicant", steps)


def _activist(c: _Dev, rng: random.Random) -> _Plan:
    d3 = c.today - _days(rng.randint(2, 420))
    later, pending = _cultivation(c, rng, d3, c.today, stall=rng.random() < 0.2)
    return _Plan("activist", [*_early(c, rng, d3), (3, d3), *later], pending)


def _target(c: _Dev, rng: random.Random) -> _Plan:
    """A 发展对象 made 3–150 days ago, as far along 8–16 as the dates allow; a step a
    committee passes may be waiting (8, 13 or 17)."""
    from tenants.development.steps import add_months

    d7 = c.today - _days(rng.randint(3, 150))
    d3 = add_months(d7, -c.months["target"]) - _days(rng.randint(0, 90))
    # 培养教育考察 goes on until the approval (step 17); one in ten branches fell behind.
    behind = rng.random() < 0.1
    until = max(d7, c.today - _days(rng.randint(200, 400))) if behind else c.today
    reviews, _ = _cultivation(c, rng, d3, until)
    d = _after_target(c, rng, d7)
    done = [(n, d[n]) for n in range(8, 17) if d[n] <= c.today]
    plan = _Plan("target", [*_early(c, rng, d3), (3, d3), *reviews, (7, d7), *done])
    plan.publicity = d["publicity"]
    plan.pending = _waiting(c, rng, d, {n for n, _ in done})
    return plan


def _waiting(c: _Dev, rng: random.Random, d: dict, done: set[int]) -> tuple[int, date] | None:
    """The committee step a target's branch has submitted and is waiting for, if any."""
    if 8 not in done and rng.random() < 0.7:
        return 8, min(c.today, d[7] + _days(rng.randint(0, 3)))
    end = d["publicity"][1]
    if 12 in done and 13 not in done and end <= c.today:
        return 13, end + _days(rng.randint(0, (c.today - end).days))
    if 16 in done:
        return 17, min(c.today, d[16] + _days(rng.randint(0, 5)))
    return None


def _after_target(c: _Dev, rng: random.Random, d7: date) -> dict:
    """Steps 8–17 after ``d7``: filing, introducers, 政审 and training in any order, then
    the committee's review, publicity, 预审, the form, the branch meeting, the talk."""
    d: dict[Any, Any] = {7: d7}
    for n, (lo, hi) in {8: (3, 25), 9: (1, 20), 10: (5, 40), 11: (5, 60)}.items():
        d[n] = d7 + _days(rng.randint(lo, hi))
    d[12] = max(d[8], d[9], d[10], d[11]) + _days(rng.randint(1, 15))
    start = d[12] + _days(rng.randint(1, 4))
    d["publicity"] = (start, c.calendar.forward(start, _publicity_days(c, rng)))
    d[13] = d["publicity"][1] + _days(rng.randint(1, 8))
    d[14] = d[13] + _days(rng.randint(1, 8))
    d[15] = d[14] + _days(rng.randint(3, 25))
    d[16] = d[15] + _days(rng.randint(2, 20))
    d[17] = max(d[16], d[15] + _approval_gap(rng))
    return d


def _before_meeting(c: _Dev, rng: random.Random, d15: date) -> dict:
    """Steps 7–14 before a branch meeting on ``d15`` (the same gaps, counted back)."""
    d: dict[Any, Any] = {14: d15 - _days(rng.randint(3, 25))}
    d[13] = d[14] - _days(rng.randint(1, 8))
    end = d[13] - _days(rng.randint(1, 8))
    d["publicity"] = (c.calendar.backward(end, _publicity_days(c, rng)), end)
    d[12] = d["publicity"][0] - _days(rng.randint(1, 4))
    d[7] = d[12] - _days(rng.randint(20, 75))
    span = (d[12] - d[7]).days - 1
    for n, (lo, hi) in {8: (3, 25), 9: (1, 20), 10: (5, 40), 11: (5, 60)}.items():
        d[n] = d[7] + _days(rng.randint(lo, min(hi, span)))
    return d


def _publicity_days(c: _Dev, rng: random.Random) -> int:
    return c.months["publicity"] + rng.choice((0, 0, 1, 2))


def _admitted_members(c: _Dev, rng: random.Random, stage: str, n: int) -> list[Any]:
    """Probationary members, or members made full in the last 150 days whose full date
    is the end of a 12-month probation; twice as many as needed (some are too young for
    the dates drawn), in a seeded order."""
    from tenants.development.steps import add_months
    from tenants.members.models import Member

    qs = Member.objects.filter(
        party_status_code="normal", lost_contact=False, development_record__isnull=True
    )
    if stage == "probationary":
        qs = qs.filter(category_code="probationary")
    else:
        qs = qs.filter(
            category_code="full",
            full_member_at__gte=c.today - _days(FULL_WITHIN_DAYS),
            full_member_at__lte=c.today - _days(2),
        )
    rows = qs.order_by("id_number_index").values_list("pk", "joined_at", "full_member_at")
    ids = [
        pk
        for pk, joined, full in rows
        if full is None or add_months(joined, c.months["probation"]) == full
    ]
    picked = rng.sample(ids, min(len(ids), 2 * n))
    found = Member.objects.select_related("org").in_bulk(picked)
    return [found[pk] for pk in picked]


def _admitted(c: _Dev, rng: random.Random, member: Any, *, full: bool) -> _Plan | None:
    """The file of a member admitted at a branch meeting on their joining date."""
    from tenants.development.steps import add_months
    from zhdj.pii.idnumber import age_on

    meeting = member.joined_at
    d = _before_meeting(c, rng, meeting)
    d3 = add_months(d[7], -c.months["target"]) - _days(rng.randint(0, 90))
    early = _early(c, rng, d3)
    if age_on(member.birth_date, early[0][1]) < 18:
        return None
    after = _probation(c, rng, meeting, full=full)
    if full and after[-1][0] != 24:
        return None
    reviews, _ = _cultivation(c, rng, d3, dict(after)[17])  # until the approval
    middle = [(n, d[n]) for n in range(7, 15)]
    steps = [*early, (3, d3), *reviews, *middle, (15, meeting), *after]
    status = "full" if full else "probationary"
    return _Plan(status, steps, publicity=d["publicity"], member=member)


def _probation(c: _Dev, rng: random.Random, meeting: date, *, full: bool) -> list:
    """Steps 16–24 after the meeting, as far as today allows (24 only when ``full``)."""
    from tenants.development.steps import add_months

    today = c.today
    d17 = meeting + _approval_gap(rng)
    if d17 > today:
        d17 = meeting + _days(rng.randint(0, (today - meeting).days))
    out = [(16, meeting + _days(rng.randint(0, (d17 - meeting).days))), (17, d17)]
    for n, (lo, hi) in {18: (1, 20), 19: (1, 15), 20: (1, 30)}.items():
        if (day := d17 + _days(rng.randint(lo, hi))) <= today:
            out.append((n, day))
    end = add_months(meeting, c.months["probation"])
    checks = _checks(rng, dict(out).get(19), min(today, end - _days(32)))
    out += [(21, day) for day in checks]
    if not checks or today < end - _days(31):
        return out
    if not full:
        if rng.random() < 0.7:
            out.append((22, end - _days(31) + _days(rng.randint(0, (today - end).days + 31))))
        return out
    d23 = end + _days(rng.randint(0, 40) if rng.random() < 0.95 else rng.randint(95, 120))
    d24 = d23 + _days(rng.randint(7, 60) if rng.random() < 0.95 else rng.randint(95, 110))
    if d24 > today:
        d23 = end + _days(rng.randint(0, (today - end).days))
        d24 = d23 + _days(rng.randint(0, (today - d23).days))
    return [*out, (22, end - _days(rng.randint(0, 31))), (23, d23), (24, d24)]


def _checks(rng: random.Random, start: date | None, until: date) -> list[date]:
    """继续教育考察 about every quarter after step 19."""
    out: list[date] = []
    day = start
    while day is not None and (day := day + _days(rng.randint(60, 100))) <= until:
        out.append(day)
    return out
