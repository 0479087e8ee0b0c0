"""What a completed step changes (domain-rules.md §1).

- Steps with ``enters_status`` move the person on (积极分子 at 3, 发展对象 at 7, 归档 at 25).
- Step 17 approved: the person enters the member database as a probationary member
  (``members.services.member_create``) joined on the branch meeting's date (step 15) —
  dues start from that date — with a probation of 1 year from it. The applicant's own
  login (role 入党申请人), if the record has one, becomes the member's login (role 党员)
  in the same transaction; the record stays linked to it, so the 纪实 stays readable.
- Step 24 approved: the outcome of step 23 takes effect — 按期转正 (``member_make_full``,
  党龄 from the end of the probation), 延长预备期 (the probation ends later; steps 22–24
  are done again), or 取消预备党员资格 (the member leaves the roll, ``member_change_status``).
"""

from __future__ import annotations

from shared.accounts.models import User
from shared.accounts.services import user_change_role
from shared.standards.models import DevelopmentStep
from tenants.access.scope import Scope
from tenants.development.models import DevelopmentRecord, Status, StepEntry
from tenants.development.selectors import done_dates
from tenants.development.steps import add_months
from tenants.members.models import StatusAction
from tenants.members.services import (
    member_change_status,
    member_create,
    member_link_user,
    member_make_full,
)
from tenants.members.validation import MemberData
from zhdj.db import field_values, save_changed
from zhdj.errors import ApplicationError

CANCEL_REASON = "支部大会决议取消预备党员资格，经上级党委批准"


def apply_effects(
    *,
    scope: Scope,
    record: DevelopmentRecord,
    entry: StepEntry,
    step: DevelopmentStep,
    actor: User,
    password: str | None = None,
) -> None:
    """``password``: the approver's, re-entered for the decision (step 24's cancellation
    is a status change, which asks for it again)."""
    before = field_values(record)
    if step.number == 17:
        _admit(scope=scope, record=record, step=step)
    elif step.number == 24:
        _decide_probation(scope=scope, record=record, entry=entry, actor=actor, password=password)
    elif step.enters_status:
        record.status = step.enters_status
    # Only what changed: a full save would re-encrypt the personal data, and the audit
    # trail would show it as changed at every step.
    save_changed(record, before)


def _admit(*, scope: Scope, record: DevelopmentRecord, step: DevelopmentStep) -> None:
    meeting_on = done_dates(record)[15]
    months = next(r["months"] for r in step.rules if r["kind"] == "probation")
    try:
        member = member_create(
            scope=scope,
            data=MemberData(
                org=record.org,
                name=record.name,
                id_number=record.id_number,
                ethnicity_code=record.ethnicity_code,
                category_code="probationary",
                joined_at=meeting_on,
                sex=record.sex,
                birth_date=record.birth_date,
                education_code=record.education_code,
                job_title=record.job_title,
                phone=record.phone,
                address=record.address,
            ),
        )
    except ApplicationError as exc:
        raise ApplicationError(f"无法登记为预备党员：{exc.message}", field=exc.field) from exc
    if record.user is not None:
        member_link_user(scope=scope, member=member, user=record.user)
        record.user = user_change_role(
            user=record.user, role=User.Role.MEMBER, expect=User.Role.APPLICANT
        )
    record.member = member
    record.probation_start = meeting_on
    record.probation_end = add_months(meeting_on, months)
    record.status = Status.PROBATIONARY


def _decide_probation(
    *,
    scope: Scope,
    record: DevelopmentRecord,
    entry: StepEntry,
    actor: User,
    password: str | None,
) -> None:
    resolution = (
        record.entries.filter(
            step_number=23,
            state=StepEntry.State.DONE,
            probation_round=record.probation_round,
        )
        .order_by("-done_on", "-id")
        .first()
    )
    if resolution is None or record.member is None or record.probation_end is None:
        raise ApplicationError("没有支部大会讨论转正的决议，不能审批。", field="step")
    outcome = resolution.details.get("outcome")
    entry.details = {**entry.details, "outcome": outcome}
    if outcome == "full":
        member_make_full(scope=scope, member=record.member, full_member_at=record.probation_end)
        record.status = Status.FULL
    elif outcome == "extend":
        months = int(resolution.details["extension_months"])
        entry.details["probation_end_before"] = record.probation_end.isoformat()
        record.probation_end = add_months(record.probation_end, months)
        entry.details["probation_end_after"] = record.probation_end.isoformat()
        record.probation_round += 1
    else:
        member_change_status(
            scope=scope,
            member=record.member,
            action=StatusAction.LEAVE,
            effective_date=entry.done_on,
            reason=CANCEL_REASON,
            actor=actor,
            password=password,
        )
        record.status = Status.CANCELLED
    entry.save(update_fields=["details"])
