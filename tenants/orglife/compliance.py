"""How far each branch is from what the rules require (组织生活达标情况), per year.

For each branch (an organization holding members) and meeting type: the periods of the
year that have ended, how many meetings each needed (rule ``orglife.required_<type>``)
and how many were held (recorded: 已召开 or 已审核归档); the current period is shown as
in progress, never as missed. A 支委会 is required only of a branch with a committee
(at least ``orglife.committee_min_posts`` committee posts held; a small branch has a
secretary only); a 党小组会 of each 党小组 under the branch. The secretary's own 党课
(``orglife.secretary_lectures_per_year``) is checked against whoever holds the secretary
post now.

Materials are complete when the minutes are written and the committee has reviewed the
record. A branch is **red** when ``orglife.red_missing_meetings`` or more required
meetings of ended periods are missing, or it is silent (nothing held for
``orglife.silent_days``); **amber** when fewer are missing or a held meeting's record is
incomplete; **green** otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from shared.standards.models import CodeTable, OrganizationType
from shared.standards.selectors import codes_flagged
from tenants.access.models import Post
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.orglife.models import Meeting, MeetingStatus
from tenants.orglife.types import (
    COMMITTEE,
    GROUP,
    LECTURE,
    MeetingType,
    meeting_types,
    period_label,
    period_of,
)
from tenants.orgs.models import Organization
from tenants.rules.selectors import rule_value

HELD = (MeetingStatus.HELD, MeetingStatus.LOCKED)


@dataclass
class TypeLine:
    type: MeetingType
    required: int  # over the ended periods
    held: int  # over the ended periods
    current_required: int
    current_held: int
    current_label: str
    missing_periods: list[str] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return max(0, self.required - self.held)


@dataclass
class BranchCompliance:
    org: Organization
    lines: list[TypeLine]
    held_total: int
    incomplete: int  # held meetings without minutes or review
    last_held: date | None
    silent: bool
    secretary_lectured: bool | None  # None: no secretary or not required
    red_missing: int  # missing meetings that make the branch red, as in force

    @property
    def missing(self) -> int:
        return sum(line.missing for line in self.lines) + (
            1 if self.secretary_lectured is False else 0
        )

    @property
    def status(self) -> str:
        if self.silent or self.missing >= self.red_missing:
            return "red"
        if self.missing or self.incomplete:
            return "amber"
        return "green"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


STATUS_LABELS = {"green": "达标", "amber": "待改进", "red": "未达标"}


def branches_for(scope: Scope) -> QuerySet[Organization]:
    """The branches whose organizational life the user looks after."""
    types = OrganizationType.objects.filter(holds_members=True).values("code")
    return (
        Organization.objects.visible_to(scope, Perm.ORGLIFE_MANAGE)
        .filter(type_code__in=types)
        .order_by("path")
    )


def _periods(period: str, year: int) -> list[tuple[date, date]]:
    """The periods of ``year``: (start, end) in order."""
    out = []
    day = date(year, 1, 1)
    while day.year == year:
        start, end = period_of(period, day)
        out.append((start, end))
        day = end + timedelta(days=1)
    return out


@dataclass
class _Structure:
    """Per branch: its 党小组, the size of its committee, who holds the secretary post."""

    groups: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    committee: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    secretaries: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))

    @property
    def owner(self) -> dict[int, int]:
        return {g: b for b, gs in self.groups.items() for g in gs}


def _structure(branches: list[Organization]) -> _Structure:
    out = _Structure()
    by_path = {b.path: b for b in branches}
    for group_id, path in Organization.objects.filter(
        type_code=OrganizationType.GROUP, is_active=True
    ).values_list("pk", "path"):
        parent = by_path.get(path[: -Organization.steplen])
        if parent is not None:
            out.groups[parent.pk].append(group_id)
    committee_posts = codes_flagged(CodeTable.POST, "committee_member")
    for org_id, member_id, code in Post.objects.filter(
        org_id__in=[b.pk for b in branches], ended_at__isnull=True
    ).values_list("org_id", "member_id", "post_code"):
        if code in committee_posts:
            out.committee[org_id] += 1
        if code == "secretary":
            out.secretaries[org_id].add(member_id)
    return out


@dataclass
class _Held:
    """Per branch (its groups' meetings included): the days of the year's held meetings
    by type, the lecturers of its 党课, incomplete records, the last meeting held."""

    days: dict[tuple[int, str], list[date]] = field(default_factory=lambda: defaultdict(list))
    lecturers: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    incomplete: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    last: dict[int, date] = field(default_factory=dict)


def _held(owner: dict[int, int], ids: list[int], year: int, since: date, today: date) -> _Held:
    out = _Held()
    rows = Meeting.objects.filter(
        org_id__in=ids + list(owner),
        status__in=HELD,
        starts_at__date__gte=min(date(year, 1, 1), since),
    ).values_list("org_id", "type_code", "starts_at", "status", "minutes", "lecturer_id")
    for org_id, type_code, starts_at, status, minutes, lecturer_id in rows:
        branch_id = owner.get(org_id, org_id)
        day = timezone.localtime(starts_at).date()
        if day > today:
            continue
        out.last[branch_id] = max(day, out.last.get(branch_id, day))
        if day.year != year:
            continue
        out.days[(branch_id, type_code)].append(day)
        if not minutes.strip() or status != MeetingStatus.LOCKED:
            out.incomplete[branch_id] += 1
        if type_code == LECTURE and lecturer_id is not None:
            out.lecturers[branch_id].add(lecturer_id)
    return out


def compliance(
    scope: Scope, *, year: int | None = None, today: date | None = None
) -> list[BranchCompliance]:
    """Every branch the user looks after, in tree order, for ``year`` (this year)."""
    today = today or timezone.localdate()
    year = year or today.year
    branches = list(branches_for(scope))
    if not branches:
        return []
    types = meeting_types()
    required = {code: int(rule_value(t.rule)) if t.rule else 0 for code, t in types.items()}
    since = today - timedelta(days=int(rule_value("orglife.silent_days")))
    wanted_lectures = int(rule_value("orglife.secretary_lectures_per_year"))
    committee_min = int(rule_value("orglife.committee_min_posts"))
    red_missing = int(rule_value("orglife.red_missing_meetings"))
    shape = _structure(branches)
    held = _held(shape.owner, [b.pk for b in branches], year, since, today)
    out = []
    for branch in branches:
        lines = []
        for code, mtype in types.items():
            per = required.get(code, 0)
            if code == COMMITTEE and shape.committee[branch.pk] < committee_min:
                per = 0
            if code == GROUP:
                per *= len(shape.groups[branch.pk])
            if per:
                lines.append(_line(mtype, per, held.days[(branch.pk, code)], year, today))
        last = held.last.get(branch.pk)
        out.append(
            BranchCompliance(
                org=branch,
                lines=lines,
                held_total=sum(len(held.days[(branch.pk, c)]) for c in types),
                incomplete=held.incomplete[branch.pk],
                last_held=last,
                silent=last is None or last < since,
                secretary_lectured=_secretary_lectured(
                    wanted_lectures,
                    shape.secretaries[branch.pk],
                    held.lecturers[branch.pk],
                    year,
                    today,
                ),
                red_missing=red_missing,
            )
        )
    return out


def _secretary_lectured(
    wanted: int, secretaries: set[int], lecturers: set[int], year: int, today: date
) -> bool | None:
    """True or False once it can be said; None when not required (no rule, no secretary)
    or the year is not over yet (then it is not missing)."""
    if not wanted or not secretaries:
        return None
    if secretaries & lecturers:
        return True
    return False if year < today.year else None


def _line(mtype: MeetingType, per: int, days: list[date], year: int, today: date) -> TypeLine:
    required = held_ended = 0
    current_required = current_held = 0
    current_label = ""
    missing: list[str] = []
    for start, end in _periods(mtype.period, year):
        count = sum(1 for d in days if start <= d <= end)
        if end < today:
            required += per
            held_ended += min(count, per)
            if count < per:
                missing.append(period_label(mtype.period, start))
        elif start <= today:
            current_required, current_held = per, count
            current_label = period_label(mtype.period, start)
    return TypeLine(
        type=mtype,
        required=required,
        held=held_ended,
        current_required=current_required,
        current_held=current_held,
        current_label=current_label,
        missing_periods=missing,
    )
