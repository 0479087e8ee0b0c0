"""Checks of one step besides its time rules (domain-rules.md §1): order, people, the
branch meeting's vote, and which committee may pass a submission.

- Order: every prerequisite step done, on or before this step's date; a step done once
  is not done again (except the repeatable 考察 steps, and 22–24 after an extension).
- People: 培养联系人 1–2, 入党介绍人 exactly 2, each a full member in good standing.
- Vote (steps 15, 23): a counted ballot of the voting engine (``tenants.orglife.voting``)
  held for this record and step at a 支部党员大会 on the step's date, which passed: who
  was expected came from the roster, present voting members and yes votes each exceed
  half of them (exactly half is not enough); step 23 names its outcome.
- Committee: filings (4, 8) go to a committee above the branch; 预审 and 审批 (13, 17,
  24) only to a base committee with approval authority — never a 党总支 or 党组.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from shared.standards.models import DevelopmentStep, OrganizationType
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.development.models import DevelopmentRecord, Status, StepPerson
from tenants.members.models import Member
from tenants.orglife.models import Ballot
from tenants.orglife.voting import development_key, outcome_of
from tenants.orgs.models import Organization
from zhdj.errors import AccessDenied, ApplicationError

OUTCOMES = {"full": "按期转正", "extend": "延长预备期", "cancel": "取消预备党员资格"}


@dataclass
class VoteData:
    """The figures of a branch meeting's vote as a step keeps them (``MeetingVote``)."""

    expected: int
    present: int
    yes: int
    no: int = 0
    abstain: int = 0
    ballot_id: int | None = None

    def as_fields(self) -> dict[str, int | None]:
        return asdict(self)


def check_order(
    *,
    record: DevelopmentRecord,
    step: DevelopmentStep,
    done_on: date | None,
    dates: dict,
    review: bool = False,
) -> None:
    title = f"第 {step.number} 步“{step.name}”"
    if done_on is None:
        raise ApplicationError("请填写办理日期。", field="done_on")
    if done_on > timezone.localdate():
        raise ApplicationError("办理日期不能晚于今天。", field="done_on")
    if step.number == 25:
        if record.status != Status.FULL:
            raise ApplicationError("转为正式党员后才能归档。", field="step")
    elif record.pk and not record.is_open:
        raise ApplicationError(f"该档案当前为“{record.get_status_display()}”，不能再办理{title}。")
    if not step.repeatable and step.number in dates:
        raise ApplicationError(f"{title}已完成，不能重复办理。", field="step")
    from tenants.development.steps import steps

    template = steps()
    for number in step.requires:
        if number not in dates:
            raise ApplicationError(
                f"请先完成第 {number} 步“{template[number].name}”，再办理{title}。", field="step"
            )
        if done_on < dates[number]:
            raise ApplicationError(
                f"{title}的日期不能早于第 {number} 步（{dates[number]:%Y-%m-%d}）。",
                field="done_on",
            )


def check_people(
    *, record: DevelopmentRecord, step: DevelopmentStep, member_ids: list[int]
) -> list[Member]:
    if not step.people:
        return []
    role = StepPerson.Role(step.people).label
    ids = list(dict.fromkeys(int(i) for i in member_ids))
    if not step.people_min <= len(ids) <= step.people_max:
        wanted = (
            f"{step.people_min} 名"
            if step.people_min == step.people_max
            else f"{step.people_min}–{step.people_max} 名"
        )
        raise ApplicationError(f"请指定{wanted}{role}（当前 {len(ids)} 名）。", field="people")
    members = {m.pk: m for m in Member.objects.filter(pk__in=ids)}
    for member_id in ids:
        member = members.get(member_id)
        if member is None:
            raise ApplicationError(f"所选{role}不是本区县的党员。", field="people")
        if member.category_code != "full":
            raise ApplicationError(f"{member.name}不是正式党员，不能担任{role}。", field="people")
        if member.party_status_code != "normal" or member.lost_contact:
            raise ApplicationError(
                f"{member.name}党籍状态不正常（停止党籍、失联等），不能担任{role}。",
                field="people",
            )
        if record.member_id == member.pk:
            raise ApplicationError(f"不能指定本人为{role}。", field="people")
    return [members[i] for i in ids]


def _extension_rule(step: DevelopmentStep) -> dict[str, Any] | None:
    return next((r for r in step.rules if r["kind"] == "extension"), None)


def check_vote(
    *,
    record: DevelopmentRecord,
    step: DevelopmentStep,
    ballot_id: int | None,
    done_on: date,
    details: dict,
) -> VoteData:
    """The figures of the passed ballot for this record and step (never typed by hand)."""
    key = development_key(record.pk, step.number)
    ballot = (
        Ballot.objects.filter(pk=ballot_id, subject_key=key).select_related("meeting").first()
        if ballot_id
        else None
    )
    if ballot is None:
        raise ApplicationError(
            "请选择支部党员大会对本人的表决：先在下方发起表决，会上投票并计票后再办理本步骤。",
            field="ballot",
        )
    if ballot.is_open:
        raise ApplicationError("该表决尚未计票。", field="ballot")
    held_on = timezone.localtime(ballot.meeting.starts_at).date()
    if done_on != held_on:
        raise ApplicationError(
            f"办理日期应为召开支部党员大会的日期（{held_on:%Y-%m-%d}）。", field="done_on"
        )
    outcome = outcome_of(ballot)
    if not outcome.passed:
        raise ApplicationError(outcome.reason, field="ballot")
    check_outcome(step, details)
    return VoteData(
        expected=ballot.expected,
        present=ballot.present,
        yes=ballot.yes,
        no=ballot.no,
        abstain=ballot.abstain,
        ballot_id=ballot.pk,
    )


def check_outcome(step: DevelopmentStep, details: dict) -> None:
    """Step 23 names its outcome; an extension is 6 to 12 months (the step's rule)."""
    rule = _extension_rule(step)
    if rule is None:
        return
    outcome = details.get("outcome", "")
    if outcome not in OUTCOMES:
        raise ApplicationError(
            "请选择讨论结果：按期转正、延长预备期或取消预备党员资格。", field="outcome"
        )
    if outcome == "extend":
        try:
            months = int(details.get("extension_months") or 0)
        except (TypeError, ValueError):
            months = 0
        if not rule["min_months"] <= months <= rule["max_months"]:
            low, high = rule["min_months"], rule["max_months"]
            raise ApplicationError(
                f"延长预备期不能少于 {low} 个月、不能超过 {high} 个月。",
                field="extension_months",
            )
        details["extension_months"] = months
    else:
        details.pop("extension_months", None)


def _type(org: Organization) -> OrganizationType | None:
    return OrganizationType.objects.filter(code=org.type_code).first()


def _may_approve(org: Organization) -> bool:
    kind = _type(org)
    return bool(kind and kind.may_approve_members and org.has_approval_authority)


def _is_committee(org: Organization) -> bool:
    kind = _type(org)
    return bool(kind and kind.is_committee)


def _ancestor_paths(org: Organization) -> list[str]:
    step = Organization.steplen
    return [org.path[:end] for end in range(step, len(org.path), step)]


def ancestors_of(org: Organization) -> list[Organization]:
    """The organizations above ``org``, root first (materialized-path prefixes)."""
    return list(Organization.objects.filter(path__in=_ancestor_paths(org)).order_by("depth"))


def ancestors_for(orgs: list[Organization]) -> dict[int, list[Organization]]:
    """``ancestors_of`` for many organizations in one query (lists, review queue)."""
    wanted = {o.pk: _ancestor_paths(o) for o in orgs}
    paths = {p for ps in wanted.values() for p in ps}
    found = {o.path: o for o in Organization.objects.filter(path__in=paths)} if paths else {}
    return {pk: [found[p] for p in ps if p in found] for pk, ps in wanted.items()}


def committee_for(
    *,
    scope: Scope,
    record: DevelopmentRecord,
    step: DevelopmentStep,
    committee: Organization | None,
    permission: str = Perm.DEVELOPMENT_MANAGE,
) -> Organization:
    """The committee passing a submission: the one given, or the nearest fitting one above
    the branch; it must fit the step, and the reviewer's posts must carry ``permission``
    over it."""
    approval = step.level == DevelopmentStep.Level.APPROVAL
    fits = _may_approve if approval else _is_committee
    ancestors = list(ancestors_of(record.org))
    if committee is None:
        committee = next((o for o in reversed(ancestors) if fits(o)), None)
        if committee is None:
            what = "具有审批权限的基层党委" if approval else "上级党委"
            raise ApplicationError(f"该党支部的上级党组织中没有{what}。", field="committee")
    elif committee.pk not in {o.pk for o in ancestors}:
        raise ApplicationError(f"{committee.name}不是该党支部的上级党组织。", field="committee")
    elif not fits(committee):
        kind = _type(committee)
        kind_name = kind.name if kind else committee.type_code
        if approval:
            raise ApplicationError(
                f"{committee.name}（{kind_name}）没有审批预备党员的权限："
                "只有具有审批权限的基层党委可以预审和审批，党总支、党组不能审批。",
                field="committee",
            )
        raise ApplicationError(
            f"{committee.name}（{kind_name}）不是党委，不能受理备案。", field="committee"
        )
    if not scope.can(permission, committee):
        raise AccessDenied(f"您无权以{committee.name}的名义审核。", field="committee")
    return committee
