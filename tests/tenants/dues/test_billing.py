"""Bills, bases, probation start, quarterly payment, back payment, arrears, reductions."""

from __future__ import annotations

from datetime import date

import pytest

from shared.accounts.models import User
from tenants.access.scope import Scope, scope_for
from tenants.dues.billing import arrears_scan, bill_month_check, bills_backfill, bills_generate
from tenants.dues.models import ArrearsFlag, DuesAccount, DuesBill, DuesReduction
from tenants.dues.selectors import dues_paid_until
from tenants.dues.services import (
    account_set_quarterly,
    dues_base_set,
    policy_set,
    reduction_decide,
    reduction_propose,
)
from tenants.notifications.models import Notification
from tests.tenants.dues.conftest import with_base
from zhdj.errors import ApplicationError

SYSTEM = Scope.system()  # the monthly job


def _bill(member, month):  # type: ignore[no-untyped-def]
    return DuesBill.objects.get(member=member, month=month)


def test_monthly_billing_is_idempotent_and_skips_members_without_base(admin_scope, member):
    with_base(admin_scope, member)
    first = bills_generate(scope=SYSTEM, month=date(2026, 3, 15))
    again = bills_generate(scope=SYSTEM, month=date(2026, 3, 1))
    assert first.created == 1 and again.created == 0
    assert first.without_base == 0  # only members with an account are considered
    bill = _bill(member, date(2026, 3, 1))
    assert (bill.base_fen, bill.rate_bp, bill.amount_fen) == (420000, 100, 4200)
    assert bill.org_id == member.org_id


def test_a_new_base_applies_from_its_month_and_never_changes_paid_bills(admin_scope, member):
    with_base(admin_scope, member, base_fen=280000)
    for m in (1, 2, 3):
        bills_generate(scope=SYSTEM, month=date(2026, m, 1))
    DuesBill.objects.filter(member=member, month=date(2026, 1, 1)).update(status="paid")
    dues_base_set(
        scope=admin_scope,
        member=member,
        category_code="in_service",
        base_fen=600000,
        from_month=date(2026, 2, 10),
        actor=None,
    )
    assert _bill(member, date(2026, 1, 1)).amount_fen == 1400  # paid: unchanged
    assert _bill(member, date(2026, 2, 1)).amount_fen == 9000  # 6000 × 1.5%
    assert _bill(member, date(2026, 3, 1)).amount_fen == 9000


def test_probationary_members_pay_from_the_branch_meeting_month(admin_scope, member):
    member.category_code, member.joined_at = "probationary", date(2026, 3, 20)
    member.save()
    with_base(admin_scope, member, from_month=date(2026, 1, 1))
    assert DuesAccount.objects.get(member=member).pays_from == date(2026, 3, 20)
    assert bills_generate(scope=SYSTEM, month=date(2026, 2, 1)).created == 0
    assert bills_generate(scope=SYSTEM, month=date(2026, 3, 1)).created == 1


def test_quarterly_payment_needs_the_branch_and_bills_the_quarter(admin_scope, member):
    with_base(admin_scope, member)
    with pytest.raises(ApplicationError) as exc:
        account_set_quarterly(scope=admin_scope, member=member, quarterly=True)
    assert exc.value.field == "quarterly" and "季度" in exc.value.message
    policy_set(scope=admin_scope, org=member.org, quarterly_allowed=True)
    account_set_quarterly(scope=admin_scope, member=member, quarterly=True)
    assert bills_generate(scope=SYSTEM, month=date(2026, 4, 1)).created == 3
    assert bills_generate(scope=SYSTEM, month=date(2026, 5, 1)).created == 0
    assert set(DuesBill.objects.filter(member=member).values_list("month", flat=True)) == {
        date(2026, 4, 1),
        date(2026, 5, 1),
        date(2026, 6, 1),
    }


def test_back_payment_reaches_six_months_at_most(admin_scope, member):
    with_base(admin_scope, member, from_month=date(2024, 1, 1))
    assert bills_backfill(scope=SYSTEM, member=member, through=date(2026, 9, 1)) == 6
    months = sorted(DuesBill.objects.filter(member=member).values_list("month", flat=True))
    assert months[0] == date(2026, 4, 1) and months[-1] == date(2026, 9, 1)


def test_no_bill_is_made_for_a_month_not_yet_due(admin_scope, member):
    with_base(admin_scope, member, from_month=date(2026, 1, 1))
    with pytest.raises(ApplicationError) as exc:
        bills_generate(scope=SYSTEM, month=date(2027, 3, 1), today=date(2026, 12, 6))
    assert exc.value.message.startswith("2027年3月尚未到期，不能提前生成账单")
    assert "本月（2026年12月）" in exc.value.message
    assert not DuesBill.objects.filter(member=member).exists()
    # The current month is billed; a quarterly payer's quarter comes with its first month.
    assert (
        bills_generate(scope=SYSTEM, month=date(2026, 12, 1), today=date(2026, 12, 6)).created == 1
    )


def test_the_admin_may_bill_from_the_back_payment_window_to_this_month(in_alpha):
    today = date(2026, 12, 6)
    assert bill_month_check(month=date(2026, 12, 20), today=today) == date(2026, 12, 1)
    assert bill_month_check(month=date(2026, 7, 1), today=today) == date(2026, 7, 1)
    with pytest.raises(ApplicationError) as ahead:
        bill_month_check(month=date(2027, 1, 1), today=today)
    assert "2027年1月尚未到期" in ahead.value.message and ahead.value.field == "month"
    with pytest.raises(ApplicationError) as old:
        bill_month_check(month=date(2026, 6, 1), today=today)
    assert old.value.message == (
        "2026年6月已超出补交期限（补交一般不超过 6 个月），不能生成账单："
        "可生成 2026年7月 至 2026年12月 的账单。"
    )


def test_six_unpaid_months_flag_the_branch_and_never_change_the_status(admin_scope, member):
    with_base(admin_scope, member, from_month=date(2026, 1, 1))
    for m in range(1, 6):
        bills_generate(scope=SYSTEM, month=date(2026, m, 1))
    assert arrears_scan(scope=SYSTEM, through=date(2026, 5, 1)) == []
    bills_generate(scope=SYSTEM, month=date(2026, 6, 1))
    flags = arrears_scan(scope=SYSTEM, through=date(2026, 6, 1))
    assert [(f.member_id, f.unpaid_months) for f in flags] == [(member.pk, 6)]
    assert (
        arrears_scan(scope=SYSTEM, through=date(2026, 6, 1)) == []
    )  # one open flag, not a new one
    member.refresh_from_db()
    assert member.party_status_code == "normal"
    told = Notification.objects.filter(title="党员连续未交党费提示")
    assert {n.recipient.username for n in told} == {"branchsec"}  # the branch's post holder
    DuesBill.objects.filter(member=member, month=date(2026, 1, 1)).update(status="paid")
    arrears_scan(scope=SYSTEM, through=date(2026, 6, 1))
    assert not ArrearsFlag.objects.filter(member=member, resolved_at__isnull=True).exists()


def test_reduction_needs_branch_decision_then_committee_approval(admin_scope, member):
    with_base(admin_scope, member)
    bills_generate(scope=SYSTEM, month=date(2026, 3, 1))
    branch = scope_for(User.objects.get(username="branchsec"))
    town = scope_for(User.objects.get(username="townsec"))
    with pytest.raises(ApplicationError) as exc:
        reduction_propose(
            scope=branch,
            member=member,
            kind="exempt",
            from_month=date(2026, 3, 1),
            to_month=date(2026, 5, 1),
            reason="重病",
            branch_decided_on=date(2026, 3, 2),
            branch_decision="",
        )
    assert exc.value.field == "branch_decision"
    reduction = reduction_propose(
        scope=branch,
        member=member,
        kind="exempt",
        from_month=date(2026, 3, 1),
        to_month=date(2026, 5, 1),
        reason="重病",
        branch_decided_on=date(2026, 3, 2),
        branch_decision="2026年3月2日支委会决定",
    )
    assert _bill(member, date(2026, 3, 1)).status == "unpaid"  # not yet approved
    with pytest.raises(ApplicationError):  # the branch cannot approve its own decision
        reduction_decide(
            scope=branch,
            reduction=reduction,
            approve=True,
            actor=User.objects.get(username="branchsec"),
        )
    reduction_decide(
        scope=town, reduction=reduction, approve=True, actor=User.objects.get(username="townsec")
    )
    assert DuesReduction.objects.get(pk=reduction.pk).status == "approved"
    bill = _bill(member, date(2026, 3, 1))
    assert (bill.status, bill.amount_fen, bill.standard_fen) == ("exempt", 0, 4200)


def test_paid_until_is_the_last_month_without_a_gap(admin_scope, member):
    with_base(admin_scope, member)
    assert dues_paid_until(member) is None
    for m in (1, 2, 3, 4):
        bills_generate(scope=SYSTEM, month=date(2026, m, 1))
    assert dues_paid_until(member) is None
    DuesBill.objects.filter(
        member=member, month__in=[date(2026, 1, 1), date(2026, 2, 1), date(2026, 4, 1)]
    ).update(status="paid")
    assert dues_paid_until(member) == date(2026, 2, 1)
    DuesBill.objects.filter(member=member).update(status="paid")
    assert dues_paid_until(member) == date(2026, 4, 1)


def test_a_branch_secretary_cannot_set_a_base_outside_the_subtree(in_alpha, other):
    branch = scope_for(User.objects.get(username="branchsec"))
    with pytest.raises(ApplicationError) as exc:
        dues_base_set(
            scope=branch,
            member=other,
            category_code="retired",
            base_fen=100000,
            from_month=date(2026, 1, 1),
            actor=None,
        )
    assert "无权" in exc.value.message
    assert not DuesBill.objects.filter(member=other).exists()
