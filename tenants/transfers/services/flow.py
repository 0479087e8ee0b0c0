"""The transfer state machine (转接流程), domain-rules §3.

Within the county: 转出支部审核 → 转出党委审批 → 接收党委接收 → 接收支部接收 → 已完成.
To another county: the same sending steps, then the envelope waits in the receiving
county's inbox (``crosscounty``). Out of the city: the sending committee issues the
introduction letter (``letters``) and the transfer waits for the receipt. Either side may
return a transfer with a reason (refusing without cause is not allowed); the applicant or
the sending branch may withdraw it before it is received.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from shared.accounts.models import User
from shared.customers.models import Tenant
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.members.models import Member
from tenants.members.services import member_relocate
from tenants.orgs.models import Organization
from tenants.transfers.models import Kind, State, Transfer, TransferAction
from tenants.transfers.services.common import (
    advance,
    check_receivable,
    check_transferable,
    committee_of,
    dues_paid_until,
    lock,
    mark_dirty,
    may_act_as_branch,
    may_act_as_committee,
    month_start,
    record,
)
from zhdj.errors import ApplicationError

Action = TransferAction.Action
MAX_REASON = 200


def _clean_reason(reason: str, *, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写原因。", field=field)
    if len(reason) > MAX_REASON:
        raise ApplicationError(f"原因不能超过 {MAX_REASON} 个字。", field=field)
    return reason


@transaction.atomic
def transfer_start(
    *,
    scope: Scope,
    actor: User,
    member: Member,
    kind: str,
    reason: str,
    to_org: Organization | None = None,
    target_schema: str = "",
    to_name: str = "",
    dues_until: date | None = None,
) -> Transfer:
    """Apply for a transfer: the member for themselves, or a branch for one of its members
    (the branch's own approval is then implied)."""
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    is_self = scope.member_id == member.pk
    if not is_self:
        scope.require(Perm.TRANSFERS_MANAGE, member.org, message="无权为该党员办理组织关系转接。")
    check_transferable(member)
    reason = _clean_reason(reason)
    values: dict[str, object] = {"from_name": member.org.name}
    if kind == Kind.WITHIN:
        to_org = check_receivable(to_org)
        if to_org.pk == member.org_id:
            raise ApplicationError("接收党组织与现所在党支部相同。", field="to_org")
        values.update(to_org=to_org, to_name=to_org.name)
    elif kind == Kind.COUNTY_OUT:
        target = Tenant.objects.filter(
            schema_name=target_schema, status=Tenant.Status.ACTIVE
        ).first()
        if target is None or target_schema == connection.schema_name:
            raise ApplicationError("请选择市内其他区县。", field="target_schema")
        values.update(other_schema=target.schema_name, to_name=(to_name or target.name)[:200])
    elif kind == Kind.CITY_OUT:
        to_name = (to_name or "").strip()
        if not to_name:
            raise ApplicationError("请填写接收党组织名称。", field="to_name")
        values.update(to_name=to_name[:200])
    else:
        raise ApplicationError("未知的转接类型。", field="kind")
    paid = month_start(dues_until) or dues_paid_until(member)
    transfer = Transfer.objects.create(
        kind=kind,
        state=State.PENDING_BRANCH,
        member=member,
        from_org=member.org,
        reason=reason,
        dues_paid_until=paid,
        created_by=actor,
        **values,
    )
    record(transfer, action=Action.SUBMIT, from_state="", actor=actor, note=reason)
    if not is_self or may_act_as_branch(scope, member.org):
        advance(transfer, expected=State.PENDING_BRANCH, to=State.PENDING_COMMITTEE)
        record(transfer, action=Action.APPROVE, from_state=State.PENDING_BRANCH, actor=actor)
    mark_dirty()
    return transfer


def may_approve(scope: Scope, transfer: Transfer) -> bool:
    """Whether ``scope`` acts at the transfer's current step."""
    state = transfer.state
    if state == State.PENDING_BRANCH:
        return may_act_as_branch(scope, transfer.from_org)
    if state == State.PENDING_COMMITTEE:
        return may_act_as_committee(scope, transfer.from_org)
    if transfer.kind != Kind.WITHIN or transfer.to_org is None:
        return False
    if state == State.PENDING_RECEIVER:
        return may_act_as_committee(scope, transfer.to_org)
    if state == State.PENDING_RECEIVER_BRANCH:
        return may_act_as_branch(scope, transfer.to_org)
    return False


NEXT_WITHIN = {
    State.PENDING_BRANCH: State.PENDING_COMMITTEE,
    State.PENDING_COMMITTEE: State.PENDING_RECEIVER,
    State.PENDING_RECEIVER: State.PENDING_RECEIVER_BRANCH,
    State.PENDING_RECEIVER_BRANCH: State.COMPLETED,
}


@transaction.atomic
def transfer_approve(*, scope: Scope, actor: User, transfer: Transfer, note: str = "") -> Transfer:
    """Approve the current step (同意 / 接收)."""
    transfer = lock(transfer.pk)
    if not may_approve(scope, transfer):
        raise ApplicationError("您无权办理该转接的当前环节。")
    state = transfer.state
    if state == State.PENDING_COMMITTEE and transfer.kind == Kind.CITY_OUT:
        raise ApplicationError("转出本市须由党委开具组织关系介绍信。", field="letter")
    if state == State.PENDING_COMMITTEE and transfer.kind == Kind.COUNTY_OUT:
        from tenants.transfers.services.crosscounty import envelope_send_for

        advance(transfer, expected=state, to=State.PENDING_RECEIVER)
        envelope_send_for(transfer)
        record(transfer, action=Action.SEND, from_state=state, actor=actor, note=note)
        mark_dirty()
        return transfer
    to = NEXT_WITHIN.get(state)
    if to is None:
        raise ApplicationError("该转接当前无需办理。")
    if to in (State.PENDING_RECEIVER_BRANCH, State.COMPLETED):
        check_receivable(transfer.to_org)
    advance(transfer, expected=state, to=to)
    action = (
        Action.ACCEPT
        if state in (State.PENDING_RECEIVER, State.PENDING_RECEIVER_BRANCH)
        else Action.APPROVE
    )
    record(transfer, action=action, from_state=state, actor=actor, note=note)
    if to == State.COMPLETED:
        member_relocate(member=transfer.member, org=transfer.to_org, ended_at=timezone.localdate())
    mark_dirty()
    return transfer


@transaction.atomic
def transfer_return(*, scope: Scope, actor: User, transfer: Transfer, reason: str) -> Transfer:
    """Return the transfer at the current step, with a reason (退回)."""
    transfer = lock(transfer.pk)
    if not may_approve(scope, transfer):
        raise ApplicationError("您无权办理该转接的当前环节。")
    reason = _clean_reason(reason, field="return_reason")
    state = transfer.state
    if transfer.kind == Kind.COUNTY_OUT and state == State.PENDING_RECEIVER:
        raise ApplicationError("转接已发往接收区县，只能由对方退回或由本方撤回。")
    advance(transfer, expected=state, to=State.RETURNED, return_reason=reason)
    record(transfer, action=Action.RETURN, from_state=state, actor=actor, note=reason)
    mark_dirty()
    return transfer


@transaction.atomic
def transfer_withdraw(*, scope: Scope, actor: User, transfer: Transfer) -> Transfer:
    """The applicant or the sending branch takes the transfer back before it is received."""
    transfer = lock(transfer.pk)
    own = scope.member_id == transfer.member_id
    if not own and not may_act_as_branch(scope, transfer.from_org):
        raise ApplicationError("无权撤回该转接。")
    allowed = {
        State.PENDING_BRANCH,
        State.PENDING_COMMITTEE,
        State.PENDING_RECEIVER,
        State.EXPIRED,  # an expired envelope stays expired; the transfer is closed
    }
    if transfer.state not in allowed:
        raise ApplicationError("该转接已被接收或已办结，不能撤回。")
    state = transfer.state
    if transfer.kind == Kind.COUNTY_OUT and state == State.PENDING_RECEIVER:
        from shared.interchange.services import envelope_withdraw

        envelope_withdraw(
            source_schema=connection.schema_name,
            source_transfer_id=transfer.pk,
            by=actor.full_name,
        )
    advance(transfer, expected=state, to=State.WITHDRAWN)
    record(transfer, action=Action.WITHDRAW, from_state=state, actor=actor)
    mark_dirty()
    return transfer


def committee_name(org: Organization) -> str:
    return committee_of(org).name
