"""Writes of dues standing data (党费基数、账户、减免、支部约定), domain-rules.md §2.

- A new base applies from the month the new salary is paid (``from_month``); unpaid
  bills from that month on are re-priced, paid ones never change.
- Probationary members pay from the 支部大会 date: the account's ``pays_from`` defaults
  to the member's joining date (加入党组织日期, the date of that meeting).
- Quarterly payment needs the branch's consent (``BranchDuesPolicy``).
- Hardship reduction or exemption: the branch decides (``reduction_propose``, with the
  decision recorded) and the committee above approves (``reduction_decide`` by someone
  whose scope covers the branch's parent); only then are bills changed.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from shared.accounts.models import User
from shared.rollups.dirty import rollup_mark_dirty
from shared.standards.models import DuesCategory
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.dues.calc import Tables, month_start
from tenants.dues.models import (
    BranchDuesPolicy,
    DuesAccount,
    DuesBase,
    DuesBill,
    DuesReduction,
)
from tenants.members.models import Member
from tenants.orgs.models import Organization
from zhdj.errors import AccessDenied, ApplicationError


def _require_manage(scope: Scope, member: Member) -> None:
    scope.require(Perm.DUES_MANAGE, member.org, message="无权管理该党员的党费。")


@transaction.atomic
def policy_set(*, scope: Scope, org: Organization, quarterly_allowed: bool) -> BranchDuesPolicy:
    scope.require(Perm.DUES_MANAGE, org, message="无权设置该组织的党费约定。")
    policy, _ = BranchDuesPolicy.objects.update_or_create(
        org=org, defaults={"quarterly_allowed": quarterly_allowed}
    )
    if not quarterly_allowed:
        DuesAccount.objects.filter(member__org=org, quarterly=True).update(quarterly=False)
    return policy


def quarterly_allowed(org: Organization) -> bool:
    return BranchDuesPolicy.objects.filter(org=org, quarterly_allowed=True).exists()


@transaction.atomic
def account_ensure(*, member: Member, pays_from: date | None = None) -> DuesAccount:
    """The member's account; a new one starts on the joining date (支部大会通过之日)."""
    account, created = DuesAccount.objects.get_or_create(
        member=member, defaults={"pays_from": pays_from or member.joined_at}
    )
    if not created and pays_from is not None and account.pays_from != pays_from:
        account.pays_from = pays_from
        account.save(update_fields=["pays_from", "updated_at"])
    return account


@transaction.atomic
def account_set_quarterly(*, scope: Scope, member: Member, quarterly: bool) -> DuesAccount:
    _require_manage(scope, member)
    if quarterly and not quarterly_allowed(member.org):
        raise ApplicationError("所在支部未同意按季度交纳党费。", field="quarterly")
    account = account_ensure(member=member)
    account.quarterly = quarterly
    account.save(update_fields=["quarterly", "updated_at"])
    return account


@transaction.atomic
def dues_base_set(
    *,
    scope: Scope,
    member: Member,
    category_code: str,
    base_fen: int,
    from_month: date,
    actor: User | None,
    note: str = "",
) -> DuesBase:
    """Record a member's category and base from ``from_month`` on (党费基数核定)."""
    _require_manage(scope, member)
    category = DuesCategory.objects.filter(code=category_code).first()
    if category is None:
        raise ApplicationError("请选择党费缴纳类别。", field="category_code")
    if base_fen < 0:
        raise ApplicationError("基数不能为负数。", field="base")
    if category.scheme == DuesCategory.Scheme.FIXED:
        base_fen = 0
    elif base_fen == 0:
        raise ApplicationError(f"请填写{category.base_label or '计算基数'}。", field="base")
    month = month_start(from_month)
    base, _ = DuesBase.objects.update_or_create(
        member=member,
        from_month=month,
        defaults={
            "category_code": category_code,
            "base_fen": base_fen,
            "note": note[:200],
            "recorded_by": actor,
        },
    )
    account_ensure(member=member)
    bills_reprice(member=member, from_month=month)
    return base


def bills_reprice(*, member: Member, from_month: date) -> int:
    """Re-price the member's unpaid (or exempt) bills from ``from_month``: paid stays."""
    tables = Tables()
    bases = list(DuesBase.objects.filter(member=member).order_by("from_month"))
    reductions = list(
        DuesReduction.objects.filter(member=member, status=DuesReduction.Status.APPROVED)
    )
    changed = 0
    bills = DuesBill.objects.select_for_update().filter(
        member=member, month__gte=from_month, status__in=[DuesBill.Status.UNPAID, "exempt"]
    )
    for bill in bills.order_by("pk"):
        base = next((b for b in reversed(bases) if b.from_month <= bill.month), None)
        if base is None:
            continue
        priced = price(tables, base.category_code, base.base_fen, bill.month, reductions)
        for field, value in priced.items():
            setattr(bill, field, value)
        bill.save(update_fields=[*priced])
        changed += 1
    if changed:
        transaction.on_commit(rollup_mark_dirty)
    return changed


def price(tables: Tables, category_code: str, base_fen: int, month: date, reductions: list) -> dict:
    """A bill's priced fields for one month, after any approved reduction."""
    standard = tables.standard(category_code, base_fen)
    amount, status = standard.amount_fen, DuesBill.Status.UNPAID
    for r in reductions:
        if r.from_month <= month <= r.to_month:
            if r.kind == DuesReduction.Kind.EXEMPT:
                amount, status = 0, DuesBill.Status.EXEMPT
            else:
                amount = min(amount, r.monthly_fen)
    return {
        "category_code": category_code,
        "base_fen": base_fen,
        "rate_bp": standard.rate_bp,
        "standard_fen": standard.amount_fen,
        "amount_fen": amount,
        "status": status,
    }


@transaction.atomic
def reduction_propose(
    *,
    scope: Scope,
    member: Member,
    kind: str,
    from_month: date,
    to_month: date,
    reason: str,
    branch_decided_on: date,
    branch_decision: str,
    monthly_fen: int = 0,
) -> DuesReduction:
    """The branch's decision to reduce or exempt a member's dues (支部决定)."""
    _require_manage(scope, member)
    if kind not in DuesReduction.Kind.values:
        raise ApplicationError("请选择减交或免交。", field="kind")
    if month_start(to_month) < month_start(from_month):
        raise ApplicationError("截止月份不能早于起始月份。", field="to_month")
    if not reason.strip():
        raise ApplicationError("请填写减免原因。", field="reason")
    if not branch_decision.strip():
        raise ApplicationError("请填写支部决定（会议记录）。", field="branch_decision")
    if kind == DuesReduction.Kind.REDUCE and monthly_fen <= 0:
        raise ApplicationError("减交须填写减交后的每月金额。", field="monthly_fen")
    return DuesReduction.objects.create(
        member=member,
        kind=kind,
        monthly_fen=monthly_fen if kind == DuesReduction.Kind.REDUCE else 0,
        from_month=month_start(from_month),
        to_month=month_start(to_month),
        reason=reason.strip()[:200],
        branch_decided_on=branch_decided_on,
        branch_decision=branch_decision.strip()[:200],
    )


@transaction.atomic
def reduction_decide(
    *, scope: Scope, reduction: DuesReduction, approve: bool, actor: User, note: str = ""
) -> DuesReduction:
    """The committee above the branch approves or rejects (上级党委审批)."""
    reduction = (
        DuesReduction.objects.select_for_update().select_related("member__org").get(pk=reduction.pk)
    )
    # The parent's path is the branch's path less one step (treebeard materialized path).
    parent_path = reduction.member.org.path[: -Organization.steplen]
    dues_paths = scope.paths(Perm.DUES_MANAGE)
    if not (scope.is_admin or (parent_path and any(parent_path.startswith(p) for p in dues_paths))):
        raise AccessDenied("减免须由支部的上级党委审批。")
    if reduction.status != DuesReduction.Status.PENDING:
        raise ApplicationError("该减免申请已审批。")
    reduction.status = DuesReduction.Status.APPROVED if approve else DuesReduction.Status.REJECTED
    reduction.approved_on = timezone.localdate()
    reduction.approved_by = actor
    reduction.approval_note = note[:200]
    reduction.save()
    if approve:
        bills_reprice(member=reduction.member, from_month=reduction.from_month)
    return reduction
