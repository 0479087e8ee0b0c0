"""Reads of the flowing-members work, every one through ``visible_to(scope)``: the lists,
the deadlines the rules set (report back, no contact, 失联 → 停止党籍 → 除名, abroad), the
groups to set up, and the figures by direction and destination."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Max, QuerySet

from shared.interchange.models import FlowNotice
from tenants.access.scope import Scope
from tenants.flowing.models import ContactLog, Direction, Outflow, OutflowState, Paper
from tenants.members.models import Member, MemberStatusChange, StatusAction
from tenants.rules.selectors import rule_values
from zhdj.dates import add_months

REACHED = (ContactLog.Kind.REPORT, ContactLog.Kind.REACHED)


def outflows(scope: Scope) -> QuerySet[Outflow]:
    return Outflow.objects.visible_to(scope).select_related("member", "org", "group")


def active_outflows(scope: Scope) -> QuerySet[Outflow]:
    return outflows(scope).filter(state=OutflowState.ACTIVE)


def notice_of(outflow: Outflow) -> FlowNotice | None:
    """The public notice of a flow into another county of the city: the branch that county
    assigned and the dues it took, as it wrote them back."""
    if not outflow.target_schema:
        return None
    return FlowNotice.objects.filter(
        source_schema=connection.schema_name, source_outflow_id=outflow.pk
    ).first()


def last_contacts(member_ids: list[int]) -> dict[int, date]:
    """Per member, the last day they reported or were reached."""
    rows = (
        ContactLog.objects.filter(member_id__in=member_ids, kind__in=REACHED)
        .values("member_id")
        .annotate(last=Max("on"))
    )
    return {row["member_id"]: row["last"] for row in rows}


@dataclass(frozen=True)
class Away:
    """An active outflow with its contact deadlines."""

    outflow: Outflow
    last_contact: date | None
    report_due: date  # the next report (yearly; half-yearly abroad)
    no_contact_since: date  # the last contact, or the day they left
    report_months: int  # the interval the rules give this member

    @property
    def member(self) -> Member:
        return self.outflow.member

    def report_overdue(self, today: date) -> bool:
        """The report was due before today (reporting on the day itself is in time)."""
        return today > self.report_due


def away(scope: Scope, today: date) -> list[Away]:
    rules = rule_values("flowing.")
    rows = list(active_outflows(scope).order_by("starts_on", "id"))
    last = last_contacts([o.member_id for o in rows])
    out = []
    for o in rows:
        seen = last.get(o.member_id)
        since = max(seen, o.starts_on) if seen else o.starts_on
        months = (
            rules["flowing.abroad_report_months"]
            if o.paper == Paper.ABROAD
            else rules["flowing.report_months"]
        )
        out.append(Away(o, seen, add_months(since, months), since, months))
    return out


@dataclass(frozen=True)
class Deadline:
    """A member the rules say something must be done about, and by when."""

    member: Member
    what: str
    since: date
    due: date
    steps: int = 0  # searches recorded (失联)

    def overdue(self, today: date) -> bool:
        return today >= self.due


def deadlines(scope: Scope, today: date) -> list[Deadline]:
    """What the rules ask of the branch, earliest first:
    - no contact for ``no_contact_months`` while away → look for them, mark 失联 if not found;
    - 失联 for ``suspend_after_lost_months`` → 停止党籍;
    - 停止党籍 (and still 失联) for ``remove_after_suspended_months`` → 除名 (自行脱党);
    - abroad for ``abroad_suspend_years`` without return → normally 停止党籍."""
    rules = rule_values("flowing.")
    out: list[Deadline] = []
    for a in away(scope, today):
        if a.member.lost_contact:
            continue
        if a.outflow.paper == Paper.ABROAD:
            due = add_months(a.outflow.starts_on, 12 * rules["flowing.abroad_suspend_years"])
            if due <= add_months(today, 6):
                out.append(
                    Deadline(
                        a.member, "出国（境）超期未归，一般应停止党籍", a.outflow.starts_on, due
                    )
                )
        due = add_months(a.no_contact_since, rules["flowing.no_contact_months"])
        if due <= today:
            out.append(
                Deadline(a.member, "长期未联系，应查找并视情况标记失联", a.no_contact_since, due)
            )
    lost = list(
        Member.objects.visible_to(scope)
        .filter(lost_contact=True, party_status_code__in=("normal", "suspended"))
        .select_related("org")
    )
    searches = Counter(
        ContactLog.objects.filter(
            member_id__in=[m.pk for m in lost], kind=ContactLog.Kind.SEARCH
        ).values_list("member_id", flat=True)
    )
    suspended_on = _suspended_on([m.pk for m in lost if m.party_status_code == "suspended"])
    for m in lost:
        since = m.lost_contact_at or today
        if m.party_status_code == "normal":
            due = add_months(since, rules["flowing.suspend_after_lost_months"])
            out.append(Deadline(m, "失联满期仍无法联系，应停止党籍", since, due, searches[m.pk]))
        elif m.pk in suspended_on:
            start = suspended_on[m.pk]
            due = add_months(start, rules["flowing.remove_after_suspended_months"])
            out.append(
                Deadline(m, "停止党籍满期仍无法联系，按自行脱党除名", start, due, searches[m.pk])
            )
    return sorted(out, key=lambda d: (d.due, d.member.pk))


def _suspended_on(member_ids: list[int]) -> dict[int, date]:
    rows = (
        MemberStatusChange.objects.filter(member_id__in=member_ids, action=StatusAction.SUSPEND)
        .values("member_id")
        .annotate(on=Max("effective_date"))
    )
    return {row["member_id"]: row["on"] for row in rows}


@dataclass(frozen=True)
class GroupSuggestion:
    destination_code: str
    destination: str
    outflows: list[Outflow]


def group_suggestions(scope: Scope) -> list[GroupSuggestion]:
    """Places with at least ``flowing.group_min_members`` members away and not in a group."""
    minimum = rule_values("flowing.")["flowing.group_min_members"]
    by_place: dict[tuple[str, str], list[Outflow]] = defaultdict(list)
    for o in active_outflows(scope).filter(group=None).exclude(direction=Direction.ABROAD):
        by_place[(o.destination_code, o.destination)].append(o)
    return [
        GroupSuggestion(code, name, rows)
        for (code, name), rows in sorted(by_place.items())
        if len(rows) >= minimum
    ]


@dataclass(frozen=True)
class Figures:
    away: int
    card_holders: int
    by_direction: list[tuple[str, int]]
    by_destination: list[tuple[str, int]]
    lost: int


def figures(scope: Scope) -> Figures:
    rows = list(active_outflows(scope).values_list("direction", "destination", "card_serial"))
    directions = Counter(d for d, _, _ in rows)
    places = Counter(p for _, p, _ in rows)
    return Figures(
        away=len(rows),
        card_holders=sum(1 for *_, serial in rows if serial),
        by_direction=[(d.label, directions[d.value]) for d in Direction],
        by_destination=places.most_common(),
        lost=Member.objects.visible_to(scope)
        .filter(lost_contact=True, party_status_code="normal")
        .count(),
    )
