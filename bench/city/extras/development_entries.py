"""1. Developments (发展党员): the person of each plan (a new applicant, or the member the
record became) and its step entries with their 培养联系人 / 入党介绍人 and votes, every step
checked by the app's own rules; then everything written in bulk."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from bench.city.extras.common import BATCH, _add_years, _at, _days
from bench.city.extras.development_context import _Dev, _Plan
from bench.city.pools import (
    ETHNICITY,
    GIVEN,
    MOBILE_PREFIXES,
    NEW_ERA_FROM,
    SURNAMES,
    TOWN_STREETS,
    Weighted,
)

# -- people -------------------------------------------------------------------------
EDUCATION = Weighted([("21", 35), ("31", 30), ("41", 12), ("61", 10), ("14", 6), ("71", 7)])


JOBS = {  # organization category (党组织类别) → 工作单位及职务
    "1": ("技术员", "工人", "职员"),
    "2": ("职员", "技术员", "销售员"),
    "3": ("村民", "种植户", "养殖户", "返乡创业青年", "村文书"),
    "4": ("科员", "办事员", "干部"),
    "5": ("教师", "辅导员"),
    "6": ("医生", "护士", "技术员"),
    "7": ("社区工作者", "网格员", "个体经营"),
    "8": ("职员", "社工"),
}


def _person(c: _Dev, rng: random.Random, branch: Any, applied: date) -> dict[str, Any]:
    """A new applicant of ``branch``, 18–46 when applying."""
    from zhdj.pii.fields import index_for

    sex = "female" if rng.random() < 0.42 else "male"
    age = int(rng.triangular(18, 46, 23))
    birth = _add_years(applied, -age) - _days(rng.randint(1, 360))
    id_number, id_index = _id_number(c, birth, sex)
    era = "new" if birth.year >= NEW_ERA_FROM else "old"
    given = "".join(rng.choice(GIVEN[(sex, era)]) for _ in range(rng.choice((1, 2, 2, 2))))
    phone = f"{rng.choice(MOBILE_PREFIXES)}{rng.randint(0, 99_999_999):08d}"
    return {
        "name": Weighted(SURNAMES).draw(rng) + given,
        "id_number": id_number,
        "id_number_index": id_index,
        "sex": sex,
        "birth_date": birth,
        "ethnicity_code": ETHNICITY.draw(rng),
        "education_code": EDUCATION.draw(rng),
        "job_title": rng.choice(JOBS.get(branch.category_code, ("职员",))),
        "phone": phone,
        "phone_index": index_for("phone", phone),
        "address": _address(c, rng, branch),
    }


def _id_number(c: _Dev, birth: date, sex: str) -> tuple[str, str]:
    """A valid ID number not used in the county (order codes from the top; the members'
    come from the bottom)."""
    from zhdj.pii.fields import index_for
    from zhdj.pii.idnumber import SEQUENCES_PER_SEX, make_id_number

    for sequence in range(SEQUENCES_PER_SEX - 1, -1, -1):
        value = make_id_number(c.region, birth, sequence, sex)
        index = index_for("id_number", value)
        if index not in c.taken:
            c.taken.add(index)
            return value, index
    raise RuntimeError(f"no free ID number for {birth} {sex}")


def _address(c: _Dev, rng: random.Random, branch: Any) -> str:
    unit = branch.name.removesuffix("党支部")
    if unit.endswith("村"):
        return f"{c.place}{unit}{rng.randint(1, 9)}组{rng.randint(1, 120)}号"
    if unit.endswith("社区"):
        room = f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}"
        return f"{c.place}{unit}{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元{room}室"
    return f"{c.place}{rng.choice(TOWN_STREETS)}{rng.randint(1, 200)}号"


def _member_person(member: Any) -> dict[str, Any]:
    """The person of a record that became ``member`` at step 17 (same values)."""
    names = ("name", "id_number", "id_number_index", "sex", "birth_date", "ethnicity_code")
    more = ("education_code", "job_title", "phone", "phone_index", "address")
    return {f: getattr(member, f) for f in (*names, *more)}


# -- entries ------------------------------------------------------------------------
@dataclass
class _Built:
    record: Any
    entries: list[Any]
    people: list[tuple[Any, list[int], str]]
    votes: list[tuple[Any, Any]]


def _build(c: _Dev, rng: random.Random, plan: _Plan) -> _Built | None:
    """The record and its entries, every step checked by the app's rules; None when a
    check fails (the caller counts it)."""
    from tenants.development.models import DevelopmentRecord
    from tenants.development.steps import add_months
    from zhdj.errors import ApplicationError

    applied = plan.steps[0][1]
    if plan.member is not None:
        branch, person = plan.member.org, _member_person(plan.member)
    else:
        branch = c.branches.draw(rng)
        person = _person(c, rng, branch, applied)
    record = DevelopmentRecord(org=branch, status=plan.status, applied_on=applied, **person)
    if plan.member is not None:
        meeting = dict(plan.steps)[15]
        record.member = plan.member
        record.probation_start = meeting
        record.probation_end = add_months(meeting, c.months["probation"])
    built = _Built(record, [], [], [])
    try:
        _entries(c, rng, plan, built)
    except ApplicationError as exc:
        print(f"  dropped a {plan.status} record: {exc.message}")
        return None
    return built


def _entries(c: _Dev, rng: random.Random, plan: _Plan, built: _Built) -> None:
    from tenants.development.models import StepEntry

    dates: dict[Any, date] = {}
    for number, day in sorted(plan.steps):
        _entry(c, rng, plan, built, number, day, dates, StepEntry.State.DONE)
        dates[number] = day
        if number == 17:
            dates["probation_end"] = built.record.probation_end
    if plan.pending is not None:
        number, day = plan.pending
        _entry(c, rng, plan, built, number, day, dates, StepEntry.State.PENDING)


def _entry(
    c: _Dev,
    rng: random.Random,
    plan: _Plan,
    built: _Built,
    number: int,
    day: date,
    dates: dict,
    state: str,
) -> None:
    """One StepEntry as ``step_record`` (and ``step_review``) would write it."""
    from tenants.development.checks import check_people
    from tenants.development.models import StepEntry
    from tenants.development.rules import check_time_rules

    step, record = c.steps[number], built.record
    details = _details(rng, plan, number)
    verdict = check_time_rules(
        step=step,
        done_on=day,
        dates=dates,
        names=c.names,
        birth_date=record.birth_date,
        details=details,
    )
    decided = state == StepEntry.State.DONE and step.reviewed
    entry = StepEntry(
        record=record,
        step_number=number,
        state=state,
        done_on=day,
        actor_name=step.actor[:64],
        acting_org=_committee(c, record, step) if decided else None,
        details=details,
        late_days=verdict.late_days,
        late_rule=verdict.late_rule[:100],
        submitted_by=c.admin,
        decided_by=c.admin if decided else None,
        decided_at=_at(day, rng) if decided else None,
    )
    built.entries.append(entry)
    if step.people:
        ids = _people(c, rng, record, step)
        check_people(record=record, step=step, member_ids=ids)
        built.people.append((entry, ids, step.people))
    if step.meeting:
        built.votes.append((entry, _vote(c, rng, record, step, details)))


def _details(rng: random.Random, plan: _Plan, number: int) -> dict[str, Any]:
    if number == 11:
        return {"training_days": rng.choice((3, 3, 4, 5)), "training_hours": rng.choice((24, 32))}
    if number == 13 and plan.publicity is not None:
        start, end = plan.publicity
        return {"publicity_from": start.isoformat(), "publicity_to": end.isoformat()}
    if number in (23, 24):
        return {"outcome": "full"}
    return {}


def _committee(c: _Dev, record: Any, step: Any) -> Any:
    """The committee that passed a step (the app's ``committee_for``, per branch once)."""
    from shared.standards.models import DevelopmentStep
    from tenants.development.checks import committee_for

    key = (record.org_id, step.level == DevelopmentStep.Level.APPROVAL)
    if key not in c.committees:
        c.committees[key] = committee_for(scope=c.scope, record=record, step=step, committee=None)
    return c.committees[key]


def _people(c: _Dev, rng: random.Random, record: Any, step: Any) -> list[int]:
    """培养联系人 or 入党介绍人 from the branch's full members (the county's if too few)."""
    mine = [m for m in c.eligible.get(record.org_id, ()) if m != record.member_id]
    if len(mine) < step.people_max:
        mine = [m for m in c.everyone if m != record.member_id]
    k = rng.randint(step.people_min, step.people_max)
    return rng.sample(mine, min(k, len(mine)))


def _vote(c: _Dev, rng: random.Random, record: Any, step: Any, details: dict) -> Any:
    """The branch meeting's vote: more than half present, more than half in favour, by the
    voting engine's own rule (``evaluate``, the county's thresholds) — synthetic history
    keeps the figures only, as a record received from another county does."""
    from tenants.development.checks import VoteData, check_outcome
    from tenants.orglife.types import thresholds
    from tenants.orglife.voting import evaluate
    from zhdj.errors import ApplicationError

    expected = max(1, len([m for m in c.eligible.get(record.org_id, ()) if m != record.member_id]))
    majority = expected // 2 + 1
    present = rng.randint(majority, expected)
    yes = rng.randint(max(majority, present - 2), present)
    no = rng.randint(0, present - yes)
    quorum, needed = thresholds()
    outcome = evaluate(
        expected=expected, present=present, yes=yes, quorum_percent=quorum, majority_percent=needed
    )
    if not outcome.passed:
        raise ApplicationError(outcome.reason)
    check_outcome(step, details)
    return VoteData(expected=expected, present=present, yes=yes, no=no, abstain=present - yes - no)


def _write_developments(items: list[_Built]) -> None:
    from tenants.development.models import DevelopmentRecord, MeetingVote, StepEntry, StepPerson

    DevelopmentRecord.objects.bulk_create([b.record for b in items], batch_size=BATCH)
    entries = [e for b in items for e in b.entries]
    for b in items:  # the records have their ids now
        for e in b.entries:
            e.record = b.record
    StepEntry.objects.bulk_create(entries, batch_size=BATCH)
    StepPerson.objects.bulk_create(
        [
            StepPerson(entry=entry, member_id=pk, role=role)
            for b in items
            for entry, ids, role in b.people
            for pk in ids
        ],
        batch_size=BATCH,
    )
    MeetingVote.objects.bulk_create(
        [MeetingVote(entry=entry, **vote.as_fields()) for b in items for entry, vote in b.votes],
        batch_size=BATCH,
    )
