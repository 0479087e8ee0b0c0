"""Writes of the development record (发展党员全程纪实), domain-rules.md §1.

``record_create`` opens a file with step 1 (递交入党申请书); ``step_record`` records any
later step — done at once, or submitted for a committee's review when the step is the
committee's (备案, 预审, 审批); ``step_review`` passes or returns a submission. Each call
is one transaction: a refused step writes nothing, its files included.

Order, documents, people, votes and time rules are all checked before anything is
written; consequences of an approval (member database, probation, status) are in
``effects``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from shared.accounts.models import User
from shared.rollups.dirty import rollup_mark_dirty
from shared.standards.models import DevelopmentStep
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.development.checks import (
    VoteData,
    check_order,
    check_people,
    check_vote,
    committee_for,
)
from tenants.development.documents import CheckedUpload, Upload, check_uploads, content_file
from tenants.development.effects import apply_effects
from tenants.development.models import (
    DevelopmentRecord,
    MeetingVote,
    StepDocument,
    StepEntry,
    StepPerson,
)
from tenants.development.person import PersonData, person_fill
from tenants.development.rules import Verdict, check_time_rules
from tenants.development.selectors import done_dates
from tenants.development.steps import development_rules, steps
from tenants.development.steps import step as step_of
from tenants.orglife.models import Ballot, Meeting
from tenants.orglife.types import ASSEMBLY
from tenants.orglife.voting import STEP_KINDS, ballot_open, development_key
from tenants.orgs.models import Organization
from zhdj.errors import ApplicationError

__all__ = [
    "APPROVAL_DECISIONS",
    "PersonData",
    "StepInput",
    "Upload",
    "VoteData",
    "development_record_link_user",
    "record_create",
    "step_record",
    "step_review",
    "vote_open",
]

# The steps a committee with approval authority decides (上级党委审批): admitting a
# probationary member (17) and making them full, extending or cancelling the probation (24).
# Step 13 (预审) is that committee's check, not a decision on membership.
APPROVAL_DECISIONS = (17, 24)


@dataclass
class StepInput:
    """What the branch enters for a step."""

    done_on: date | None
    actor_name: str = ""
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)
    people: list[int] = field(default_factory=list)  # member ids (contacts, introducers)
    ballot_id: int | None = None  # steps 15 and 23: the counted ballot (orglife.voting)


def _names() -> dict[int, str]:
    return {n: s.name for n, s in steps().items()}


def _validate(
    *, record: DevelopmentRecord, step: DevelopmentStep, data: StepInput, dates: dict
) -> tuple[Verdict, list[CheckedUpload], list, dict, VoteData | None]:
    """Every check of one step, in the order a person would fix them. Writes nothing."""
    check_order(record=record, step=step, done_on=data.done_on, dates=dates)
    assert data.done_on is not None
    details = dict(data.details)
    verdict = check_time_rules(
        step=step,
        done_on=data.done_on,
        dates=dates,
        names=_names(),
        birth_date=record.birth_date,
        details=details,
    )
    people = check_people(record=record, step=step, member_ids=data.people)
    vote = None
    if step.meeting:
        vote = check_vote(
            record=record,
            step=step,
            ballot_id=data.ballot_id,
            done_on=data.done_on,
            details=details,
        )
    uploads = check_uploads(
        step, data.uploads, max_mb=development_rules()["development.document_max_mb"]
    )
    return verdict, uploads, people, details, vote


def _write(
    *,
    record: DevelopmentRecord,
    step: DevelopmentStep,
    data: StepInput,
    actor: User,
    verdict: Verdict,
    uploads: list[CheckedUpload],
    people: list,
    details: dict,
    vote: VoteData | None = None,
) -> tuple[StepEntry, list[StepDocument]]:
    entry = StepEntry.objects.create(
        record=record,
        step_number=step.number,
        state=StepEntry.State.PENDING if step.reviewed else StepEntry.State.DONE,
        done_on=data.done_on,
        probation_round=record.probation_round if step.per_probation else 0,
        actor_name=(data.actor_name or "").strip()[:64] or step.actor[:64],
        note=(data.note or "").strip(),
        details=details,
        late_days=verdict.late_days,
        late_rule=verdict.late_rule[:100],
        submitted_by=actor,
    )
    for member in people:
        StepPerson.objects.create(entry=entry, member=member, role=step.people)
    if vote is not None:
        MeetingVote.objects.create(entry=entry, **vote.as_fields())
    return entry, _store(entry, uploads, actor)


def _store(entry: StepEntry, uploads: list[CheckedUpload], actor: User) -> list[StepDocument]:
    saved: list[StepDocument] = []
    with discard_on_error(saved):
        for upload in uploads:
            doc = StepDocument(
                entry=entry,
                kind=upload.kind,
                original_name=upload.name,
                content_type=upload.content_type,
                size=len(upload.content),
                sha256=upload.sha256,
                uploaded_by=actor,
            )
            doc.file.save("upload", content_file(upload), save=False)
            saved.append(doc)
            doc.save()
    return saved


@contextmanager
def discard_on_error(saved: list[StepDocument]) -> Iterator[None]:
    """Files are written before the commit; if the unit of work fails after that, the
    files go too (the rows roll back with the transaction)."""
    try:
        yield
    except BaseException:
        for doc in saved:
            doc.file.storage.delete(doc.file.name)
        raise


def _after_commit() -> None:
    transaction.on_commit(rollup_mark_dirty)


@transaction.atomic
def record_create(
    *,
    scope: Scope,
    person: PersonData,
    step: StepInput,
    actor: User,
    user: User | None = None,
) -> DevelopmentRecord:
    """Open a development file with step 1 (递交入党申请书, applicant at least 18)."""
    record = DevelopmentRecord()
    person_fill(record, person, scope=scope)
    first = step_of(1)
    if step.done_on is None:
        raise ApplicationError("请填写递交入党申请书的日期。", field="done_on")
    record.applied_on = step.done_on
    verdict, uploads, people, details, _ = _validate(record=record, step=first, data=step, dates={})
    record.user = user
    record.save()
    _write(  # step 1 has no effects beyond the record itself
        record=record,
        step=first,
        data=step,
        actor=actor,
        verdict=verdict,
        uploads=uploads,
        people=people,
        details=details,
    )
    _after_commit()
    return record


@transaction.atomic
def step_record(
    *, scope: Scope, record: DevelopmentRecord, number: int, data: StepInput, actor: User
) -> StepEntry:
    """Record step ``number`` (or submit it for review when a committee passes it)."""
    record = DevelopmentRecord.objects.select_for_update().select_related("org").get(pk=record.pk)
    scope.require(Perm.DEVELOPMENT_MANAGE, record.org, message="无权办理该发展对象的步骤。")
    step = step_of(number)
    if number == 1:
        raise ApplicationError("第 1 步在登记入党申请人时记录。", field="step")
    dates = done_dates(record)
    if StepEntry.objects.filter(
        record=record,
        step_number=number,
        state=StepEntry.State.PENDING,
    ).exists():
        raise ApplicationError(f"第 {number} 步已提交上级党委审核，请等待审核结果。", field="step")
    verdict, uploads, people, details, vote = _validate(
        record=record, step=step, data=data, dates=dates
    )
    entry, saved = _write(
        record=record,
        step=step,
        data=data,
        actor=actor,
        verdict=verdict,
        uploads=uploads,
        people=people,
        details=details,
        vote=vote,
    )
    with discard_on_error(saved):
        if entry.state == StepEntry.State.DONE:
            apply_effects(scope=scope, record=record, entry=entry, step=step, actor=actor)
    _after_commit()
    return entry


@transaction.atomic
def step_review(
    *,
    scope: Scope,
    entry: StepEntry,
    approve: bool,
    actor: User,
    reason: str = "",
    decided_on: date | None = None,
    committee: Organization | None = None,
    password: str | None = None,
) -> StepEntry:
    """A committee passes (通过) or returns (退回, with a reason) a submitted step. The
    approval decisions (接收预备党员, 转正: ``APPROVAL_DECISIONS``) are taken in the name of a
    committee with approval authority, by a post carrying development.approve there,
    after the reviewer's password."""
    entry = StepEntry.objects.select_for_update().get(pk=entry.pk)
    record = (
        DevelopmentRecord.objects.select_for_update().select_related("org").get(pk=entry.record_id)
    )
    if entry.state != StepEntry.State.PENDING:
        raise ApplicationError("该步骤不在待审核状态。")
    step = step_of(entry.step_number)
    decision = step.number in APPROVAL_DECISIONS
    needs = Perm.DEVELOPMENT_APPROVE if decision else Perm.DEVELOPMENT_MANAGE
    committee = committee_for(
        scope=scope, record=record, step=step, committee=committee, permission=needs
    )
    if decision:
        scope.require(
            Perm.DEVELOPMENT_APPROVE,
            committee,
            password=password,
            message=f"您无权以{committee.name}的名义审批。",
        )
    entry.acting_org = committee
    entry.decided_by, entry.decided_at = actor, timezone.now()
    if not approve:
        reason = (reason or "").strip()
        if not reason:
            raise ApplicationError("退回时请填写原因。", field="reason")
        entry.state, entry.return_reason = StepEntry.State.RETURNED, reason[:200]
        entry.save()
        return entry
    decided_on = decided_on or timezone.localdate()
    dates = done_dates(record)
    check_order(record=record, step=step, done_on=decided_on, dates=dates, review=True)
    details = dict(entry.details)
    verdict = check_time_rules(
        step=step,
        done_on=decided_on,
        dates=dates,
        names=_names(),
        birth_date=record.birth_date,
        details=details,
    )
    entry.state, entry.done_on, entry.details = StepEntry.State.DONE, decided_on, details
    entry.late_days, entry.late_rule = verdict.late_days, verdict.late_rule[:100]
    entry.save()
    apply_effects(
        scope=scope, record=record, entry=entry, step=step, actor=actor, password=password
    )
    _after_commit()
    return entry


@transaction.atomic
def development_record_link_user(
    *, scope: Scope, record: DevelopmentRecord, user: User
) -> DevelopmentRecord:
    """Make ``user`` the login of the person on ``record`` (their own pages: the timeline,
    the next step, documents handed in). An applicant's login (role 入党申请人) while the
    person is not yet a member; a login belongs to one record."""
    record = DevelopmentRecord.objects.select_for_update().select_related("org").get(pk=record.pk)
    scope.require(Perm.DEVELOPMENT_MANAGE, record.org, message="无权为该发展对象关联登录账号。")
    if record.user_id == user.pk:
        return record
    if record.user_id is not None:
        raise ApplicationError("该发展对象已关联其他登录账号。", field="user")
    wanted = User.Role.MEMBER if record.member_id else User.Role.APPLICANT
    if user.role != wanted:
        raise ApplicationError(
            f"账号“{user.username}”不是{wanted.label}账号，不能关联。", field="user"
        )
    if DevelopmentRecord.objects.filter(user=user).exclude(pk=record.pk).exists():
        raise ApplicationError(f"账号“{user.username}”已关联其他发展对象。", field="user")
    record.user = user
    record.save(update_fields=["user", "updated_at"])
    return record


@transaction.atomic
def vote_open(
    *,
    scope: Scope,
    record: DevelopmentRecord,
    number: int,
    meeting_id: int,
    actor: User,
    secret: bool = True,
    mode: str = "phone",
) -> Ballot:
    """Put step 15 (接收预备党员) or 23 (预备党员转正) of ``record`` to the vote at a
    支部党员大会 of its branch; the engine computes who may vote from the roster."""
    record = DevelopmentRecord.objects.select_related("org").get(pk=record.pk)
    scope.require(Perm.DEVELOPMENT_MANAGE, record.org, message="无权办理该发展对象的步骤。")
    if number not in STEP_KINDS:
        raise ApplicationError("只有第 15、23 步由支部党员大会表决。", field="step")
    meeting = Meeting.objects.filter(pk=meeting_id, org=record.org, type_code=ASSEMBLY).first()
    if meeting is None:
        raise ApplicationError(
            f"请选择{record.org.name}的支部党员大会（先在“组织生活”中计划会议）。",
            field="meeting",
        )
    subject = (
        f"接收{record.name}为预备党员" if number == 15 else f"{record.name}预备党员转为正式党员"
    )
    return ballot_open(
        scope=scope,
        meeting=meeting,
        kind=STEP_KINDS[number],
        subject=subject,
        subject_key=development_key(record.pk, number),
        secret=secret,
        mode=mode,
        actor=actor,
    )
