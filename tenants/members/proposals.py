"""Two-way maintenance of the member record (党员信息双向维护): a member proposes
corrections to their own record; the branch approves or returns them."""

from __future__ import annotations

import json
from dataclasses import replace

from django.db import transaction
from django.utils import timezone

from shared.accounts.models import User
from tenants.access.grants import effective_grants
from tenants.access.models import Post
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.members.models import EditProposal, Member
from tenants.members.services import member_update
from tenants.members.validation import FIELD_LABELS, MemberData, validate_member
from tenants.notifications.services import notification_send
from zhdj.errors import AccessDenied, ApplicationError

# What a member may propose to change in their own record.
SELF_EDITABLE = ("phone", "landline", "address", "job_title", "education_code", "occupation_code")


def member_data_of(member: Member) -> MemberData:
    return MemberData(**{f: getattr(member, f) for f in MemberData.field_names()})


def proposal_changes(proposal: EditProposal) -> dict[str, str]:
    return json.loads(proposal.changes)


def _reviewers(member: Member) -> list[User]:
    """Post holders of the member's branch whose post may review it (members.edit)."""
    carries = effective_grants()
    posts = Post.objects.filter(org=member.org, ended_at__isnull=True).select_related(
        "member__user"
    )
    return [
        p.member.user
        for p in posts
        if p.member.user is not None and Perm.MEMBERS_EDIT in carries.get(p.post_code, ())
    ]


@transaction.atomic
def proposal_submit(*, user: User, changes: dict[str, str], note: str = "") -> EditProposal:
    member = Member.objects.select_for_update().filter(user=user).first()
    if member is None:
        raise ApplicationError("您的账号未关联党员信息。")
    unknown = set(changes) - set(SELF_EDITABLE)
    if unknown:
        raise ApplicationError("只能申请修改联系方式、住址、工作岗位、学历和职业。")
    changes = {
        k: (v or "").strip()
        for k, v in changes.items()
        if (v or "").strip() != (getattr(member, k) or "")
    }
    if not changes:
        raise ApplicationError("没有需要修改的内容。")
    errors = validate_member(replace(member_data_of(member), **changes))
    errors = {k: v for k, v in errors.items() if k in changes}
    if errors:
        field, messages = next(iter(errors.items()))
        raise ApplicationError(messages[0], field=field, extra={"errors": errors})
    if EditProposal.objects.filter(member=member, status=EditProposal.Status.PENDING).exists():
        raise ApplicationError("您已有一份待审核的修改申请，请等待支部审核。")
    proposal = EditProposal.objects.create(
        member=member, changes=json.dumps(changes, ensure_ascii=False), note=note.strip()
    )
    reviewers = _reviewers(member)
    if reviewers:
        notification_send(
            recipients=reviewers,
            title=f"{member.name}提交了信息修改申请",
            body="、".join(FIELD_LABELS[f] for f in changes),
            url="/members/proposals/",
            sender=user,
        )
    return proposal


def _decide(scope: Scope, proposal: EditProposal) -> EditProposal:
    proposal = (
        EditProposal.objects.select_for_update(of=("self",))
        .select_related("member__org", "member__user")
        .get(pk=proposal.pk)
    )
    scope.require(Perm.MEMBERS_EDIT, proposal.member.org, message="无权审核该申请。")
    if scope.member_id == proposal.member_id:
        raise AccessDenied("不能审核本人的修改申请。")
    if proposal.status != EditProposal.Status.PENDING:
        raise ApplicationError("该申请已处理。")
    return proposal


@transaction.atomic
def proposal_approve(*, scope: Scope, proposal: EditProposal, actor: User) -> EditProposal:
    proposal = _decide(scope, proposal)
    member = proposal.member
    data = replace(member_data_of(member), **proposal_changes(proposal))
    member_update(scope=scope, member=member, data=data)
    proposal.status, proposal.decided_by, proposal.decided_at = (
        EditProposal.Status.APPROVED,
        actor,
        timezone.now(),
    )
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    if member.user:
        notification_send(
            recipients=[member.user],
            title="您的信息修改申请已通过",
            url="/members/me/",
            sender=actor,
        )
    return proposal


@transaction.atomic
def proposal_return(
    *, scope: Scope, proposal: EditProposal, actor: User, reason: str
) -> EditProposal:
    proposal = _decide(scope, proposal)
    if not (reason or "").strip():
        raise ApplicationError("请填写退回原因。", field="reason")
    proposal.status, proposal.return_reason = EditProposal.Status.RETURNED, reason.strip()
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    proposal.save(update_fields=["status", "return_reason", "decided_by", "decided_at"])
    if proposal.member.user:
        notification_send(
            recipients=[proposal.member.user],
            title="您的信息修改申请被退回",
            body=proposal.return_reason,
            url="/members/me/",
            sender=actor,
        )
    return proposal


def proposals_to_review(scope: Scope):  # type: ignore[no-untyped-def]
    """Pending proposals of members the user keeps the record of (members.edit), not
    their own."""
    return (
        EditProposal.objects.visible_to(scope, Perm.MEMBERS_EDIT)
        .filter(status=EditProposal.Status.PENDING)
        .exclude(member_id=scope.member_id)
        .select_related("member__org")
    )
