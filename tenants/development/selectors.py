"""Reads of development records, always through the user's Scope.

A county administrator sees the county; a post holder whose post carries development work
(development.manage) the records of their organization subtree; everyone their own record
(``DevelopmentRecord.objects.visible_to``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.development.models import (
    PIPELINE,
    DevelopmentRecord,
    StepDocument,
    StepEntry,
)
from tenants.orglife.models import Ballot
from tenants.orglife.voting import development_key
from tenants.orgs.models import Organization


def records_of(scope: Scope) -> QuerySet[DevelopmentRecord]:
    """What the user sees: records where their posts carry development work, plus their own."""
    return DevelopmentRecord.objects.visible_to(scope)


def record_get(scope: Scope, record_id: int) -> DevelopmentRecord | None:
    return records_of(scope).select_related("org", "member", "user").filter(pk=record_id).first()


def own_record(scope: Scope) -> DevelopmentRecord | None:
    """The user's own record (by their login; once admitted also by their member record)."""
    if scope.user_id is None:
        return None
    mine = Q(user_id=scope.user_id)
    if scope.member_id is not None:
        mine |= Q(member_id=scope.member_id)
    return records_of(scope).select_related("org").filter(mine).order_by("-id").first()


def manages_record(scope: Scope, record: DevelopmentRecord) -> bool:
    return scope.can(Perm.DEVELOPMENT_MANAGE, record.org)


def entries_of(record: DevelopmentRecord) -> QuerySet[StepEntry]:
    return (
        record.entries.select_related("acting_org", "vote", "submitted_by", "decided_by")
        .prefetch_related(
            Prefetch("documents", queryset=StepDocument.objects.order_by("kind", "id")),
            "people__member",
        )
        .order_by("step_number", "done_on", "id")
    )


def done_dates(record: DevelopmentRecord, entries: list[StepEntry] | None = None) -> dict:
    """Latest done date per step; per-probation steps count in the current round only.
    Also ``probation_end``."""
    from tenants.development.steps import steps

    template = steps()
    if entries is None:
        entries = list(record.entries.filter(state=StepEntry.State.DONE))
    dates: dict = {}
    for entry in entries:
        if entry.state != StepEntry.State.DONE:
            continue
        tmpl = template.get(entry.step_number)
        if (
            tmpl is not None
            and tmpl.per_probation
            and entry.probation_round != record.probation_round
        ):
            continue
        if entry.step_number not in dates or entry.done_on > dates[entry.step_number]:
            dates[entry.step_number] = entry.done_on
    if record.probation_end:
        dates["probation_end"] = record.probation_end
    return dates


@dataclass
class StageColumn:
    status: str
    label: str
    count: int = 0
    people: list[DevelopmentRecord] = field(default_factory=list)


@dataclass
class BranchRow:
    org: Organization
    columns: list[StageColumn]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.columns)


def pipeline(scope: Scope, org: Organization | None = None) -> list[BranchRow]:
    """Per branch of the scope (or of ``org``'s subtree): people per stage, with names."""
    records = records_of(scope).filter(status__in=PIPELINE).select_related("org")
    if org is not None:
        records = records.filter(org__path__startswith=org.path)
    by_org: dict[int, dict[str, list[DevelopmentRecord]]] = defaultdict(lambda: defaultdict(list))
    orgs: dict[int, Organization] = {}
    for record in records.order_by("org__path", "applied_on", "name"):
        by_org[record.org_id][record.status].append(record)
        orgs[record.org_id] = record.org
    rows = []
    for org_id, statuses in by_org.items():
        columns = [
            StageColumn(s.value, s.label, len(statuses.get(s.value, [])), statuses.get(s.value, []))
            for s in PIPELINE
        ]
        rows.append(BranchRow(orgs[org_id], columns))
    rows.sort(key=lambda r: r.org.path)
    return rows


def stage_totals(scope: Scope, org: Organization | None = None) -> list[dict]:
    records = records_of(scope)
    if org is not None:
        records = records.filter(org__path__startswith=org.path)
    counts = dict(records.values_list("status").annotate(n=Count("*")))
    return [{"name": s.label, "value": counts.get(s.value, 0), "status": s.value} for s in PIPELINE]


def pending_entries(scope: Scope) -> QuerySet[StepEntry]:
    return (
        StepEntry.objects.visible_to(scope)
        .filter(state=StepEntry.State.PENDING)
        .select_related("record__org", "submitted_by")
        .prefetch_related("documents")
        .order_by("created_at")
    )


def age_today(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def step_ballots(record: DevelopmentRecord, number: int) -> list[Ballot]:
    """The ballots held for step ``number`` of ``record`` (steps 15, 23), newest first."""
    return list(
        Ballot.objects.filter(subject_key=development_key(record.pk, number))
        .select_related("meeting")
        .order_by("-pk")
    )


def ballot_choices(ballots: list[Ballot]) -> list[tuple[int, str]]:
    """The counted ballots as the step form offers them."""
    return [
        (
            b.pk,
            f"{timezone.localtime(b.meeting.starts_at):%Y-%m-%d} {b.meeting.title}："
            f"应到 {b.expected}、实到 {b.present}、赞成 {b.yes}"
            f"（{'通过' if b.passed else '未通过'}）",
        )
        for b in ballots
        if not b.is_open
    ]
