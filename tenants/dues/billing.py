"""Monthly bills and arrears (党费账单与欠缴), domain-rules.md §2.

- ``bills_generate(month)``: each member in normal standing whose account has started
  and who has a base gets the month's bill; quarterly payers (with the branch's consent)
  get the whole quarter's three bills in its first month. Idempotent (unique member ×
  month; existing bills are left alone). Never a month after the current one: dues are
  monthly, paying ahead only with the branch's consent (the quarter above), and a bill
  made ahead would be listed as owed before it is due.
- ``bill_month_check(month)``: what the county admin may bill by hand — from the
  back-payment window (``dues.back_payment_months``) to the current month.
- ``bills_backfill(member)``: when an account starts in the past, bills back to at most
  ``dues.back_payment_months`` months (补交一般不超过 6 个月).
- A flowing member whose dues the home branch decided are paid at the destination
  (在流入地交纳党费, ``tenants.flowing.dues``) gets no bill for the months away, and an
  unpaid bill made for one of them before the card was issued is withdrawn by the next
  run: dues are paid in exactly one place. Bills resume the month after the return.
- ``arrears_scan()``: ``dues.unpaid_months_flag`` consecutive unpaid months raise an
  ``ArrearsFlag`` and tell the branch's post holders. Never a status change: the branch
  decides whether it is 自行脱党.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from shared.accounts.models import User
from shared.rollups.dirty import rollup_mark_dirty
from tenants.access.models import Post
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.dues.calc import Tables, add_months, month_start, months_between
from tenants.dues.models import (
    ArrearsFlag,
    DuesAccount,
    DuesBase,
    DuesBill,
    DuesPayment,
    DuesReduction,
)
from tenants.dues.services import price
from tenants.flowing.dues import DuesAway, dues_away, paid_away
from tenants.members.models import Member
from zhdj.errors import AccessDenied, ApplicationError

BATCH = 5000


@dataclass(frozen=True)
class BillingResult:
    month: date
    created: int
    without_base: int


def _require_county(scope: Scope, message: str) -> None:
    """Work on the whole county: the scheduled job (``Scope.system()``) or its administrator."""
    if not scope.is_admin:
        raise AccessDenied(message)


def _quarter_months(month: date) -> list[date]:
    if (month.month - 1) % 3:
        return [month]
    return [month, add_months(month, 1), add_months(month, 2)]


def _make_bills(tables: Tables, wanted: dict[int, tuple[int, list[date]]]) -> tuple[int, int]:
    """Create the bills in ``wanted`` (member → (org, months)); returns (created, no base)."""
    if not wanted:
        return 0, 0
    last = max(m for _, months in wanted.values() for m in months)
    bases: dict[int, list[DuesBase]] = defaultdict(list)
    for base in DuesBase.objects.filter(from_month__lte=last).order_by("member_id", "from_month"):
        bases[base.member_id].append(base)
    reductions: dict[int, list[DuesReduction]] = defaultdict(list)
    for r in DuesReduction.objects.filter(status=DuesReduction.Status.APPROVED):
        reductions[r.member_id].append(r)
    bills, without_base = [], 0
    for member_id, (org_id, months) in wanted.items():
        member_bases = bases.get(member_id)
        if not member_bases:
            without_base += 1
            continue
        starts = [b.from_month for b in member_bases]
        for month in months:
            i = bisect_right(starts, month)
            if i == 0:
                continue
            base = member_bases[i - 1]
            fields = price(tables, base.category_code, base.base_fen, month, reductions[member_id])
            bills.append(DuesBill(member_id=member_id, org_id=org_id, month=month, **fields))
    created = 0
    for start in range(0, len(bills), BATCH):
        created += len(
            DuesBill.objects.bulk_create(bills[start : start + BATCH], ignore_conflicts=True)
        )
    return created, without_base


def _ym(month: date) -> str:
    return f"{month.year}年{month.month}月"


def _not_ahead(month: date, current: date) -> None:
    if month > current:
        raise ApplicationError(
            f"{_ym(month)}尚未到期，不能提前生成账单：党费按月交纳，账单最晚生成到本月"
            f"（{_ym(current)}）；按季度交纳的党员在季度首月生成整季账单。",
            field="month",
        )


def bill_month_check(*, month: date, today: date | None = None) -> date:
    """The month the county admin asks to bill, if it may be billed (else a message).

    Not after the current month (see ``bills_generate``), and not before the online
    back-payment window: an older bill could only be listed as owed, never paid online
    (补交一般不超过 6 个月).
    """
    month, current = month_start(month), month_start(today or timezone.localdate())
    _not_ahead(month, current)
    back = Tables().rule("dues.back_payment_months")
    earliest = add_months(current, 1 - back)
    if month < earliest:
        raise ApplicationError(
            f"{_ym(month)}已超出补交期限（补交一般不超过 {back} 个月），不能生成账单："
            f"可生成 {_ym(earliest)} 至 {_ym(current)} 的账单。",
            field="month",
        )
    return month


@transaction.atomic
def bills_generate(*, scope: Scope, month: date, today: date | None = None) -> BillingResult:
    """The month's bills for the whole county (the monthly job, or the county administrator)."""
    _require_county(scope, "只有区县管理员可以生成全县党费账单。")
    month = month_start(month)
    _not_ahead(month, month_start(today or timezone.localdate()))
    tables = Tables()
    accounts = DuesAccount.objects.filter(
        member__party_status_code="normal", pays_from__lt=add_months(month, 1)
    ).values_list("member_id", "member__org_id", "pays_from", "quarterly")
    existing = set(DuesBill.objects.filter(month=month).values_list("member_id", flat=True))
    wanted: dict[int, tuple[int, list[date]]] = {}
    away = dues_away()
    for member_id, org_id, pays_from, quarterly in accounts.iterator(chunk_size=BATCH):
        if member_id in existing:
            continue
        months = _quarter_months(month) if quarterly else [month]
        months = [m for m in months if m >= month_start(pays_from)]
        if member_id in away:
            months = [m for m in months if not paid_away(away[member_id], m)]
        if months:
            wanted[member_id] = (org_id, months)
    created, without_base = _make_bills(tables, wanted)
    _withdraw_paid_away(away)
    transaction.on_commit(rollup_mark_dirty)
    return BillingResult(month, created, without_base)


@transaction.atomic
def bills_backfill(*, scope: Scope, member: Member, through: date | None = None) -> int:
    """Bills from the account start, at most ``dues.back_payment_months`` back."""
    scope.require(Perm.DUES_MANAGE, member.org, message="无权管理该党员的党费。")
    account = DuesAccount.objects.filter(member=member).first()
    if account is None or member.party_status_code != "normal":
        return 0
    tables = Tables()
    current = month_start(through or timezone.localdate())
    earliest = add_months(current, 1 - tables.rule("dues.back_payment_months"))
    first = max(month_start(account.pays_from), earliest)
    spans = dues_away({member.pk}).get(member.pk, [])
    months = [m for m in months_between(first, current) if not paid_away(spans, m)]
    if not months:
        return 0
    created, _ = _make_bills(tables, {member.pk: (member.org_id, months)})
    if created:
        transaction.on_commit(rollup_mark_dirty)
    return created


def _withdraw_paid_away(away: dict[int, list[DuesAway]]) -> int:
    """Unpaid bills of months whose dues the destination takes (made before the card was
    issued): withdrawn, unless an online order still covers the month (its payment, if
    it comes, settles that bill)."""
    if not away:
        return 0
    bills = DuesBill.objects.filter(
        member_id__in=away, status=DuesBill.Status.UNPAID, payment__isnull=True
    ).values_list("pk", "member_id", "month")
    ordered = {
        (member_id, date.fromisoformat(m))
        for member_id, months in DuesPayment.objects.filter(
            member_id__in=away,
            status__in=[DuesPayment.Status.PENDING, DuesPayment.Status.CLOSED],
        ).values_list("member_id", "bill_months")
        for m in months
    }
    doomed = [
        pk
        for pk, member_id, month in bills
        if paid_away(away[member_id], month) and (member_id, month) not in ordered
    ]
    if doomed:
        DuesBill.objects.filter(pk__in=doomed, status=DuesBill.Status.UNPAID).delete()
    return len(doomed)


def consecutive_unpaid(month_statuses: list[tuple[date, str, int]]) -> tuple[int, date | None]:
    """Unpaid months (with something to pay) in a row up to the latest bill."""
    count, first = 0, None
    for month, status, amount in sorted(month_statuses, reverse=True):
        if status == DuesBill.Status.UNPAID and amount > 0:
            count, first = count + 1, month
        elif status == DuesBill.Status.UNPAID:
            continue  # nothing to pay (a 0 amount) neither breaks nor extends the run
        else:
            break
    return count, first


@transaction.atomic
def arrears_scan(*, scope: Scope, through: date | None = None) -> list[ArrearsFlag]:
    """Raise flags for long arrears, resolve flags that no longer hold; tell the branch."""
    _require_county(scope, "只有区县管理员可以检查全县欠缴。")
    from tenants.dues.reminders import tell_branch_of_flags

    tables = Tables()
    limit = tables.rule("dues.unpaid_months_flag")
    last = month_start(through or timezone.localdate())
    window = add_months(last, -(limit + 12))
    by_member: dict[int, list[tuple[date, str, int]]] = defaultdict(list)
    orgs: dict[int, int] = {}
    rows = DuesBill.objects.filter(month__gte=window, month__lte=last).values_list(
        "member_id", "org_id", "month", "status", "amount_fen"
    )
    for member_id, org_id, month, status, amount in rows.iterator(chunk_size=BATCH):
        by_member[member_id].append((month, status, amount))
        orgs[member_id] = org_id
    open_flags = {f.member_id: f for f in ArrearsFlag.objects.filter(resolved_at__isnull=True)}
    raised: list[ArrearsFlag] = []
    for member_id, statuses in by_member.items():
        count, first = consecutive_unpaid(statuses)
        flag = open_flags.get(member_id)
        if count >= limit and flag is None and first is not None:
            raised.append(
                ArrearsFlag(
                    member_id=member_id,
                    org_id=orgs[member_id],
                    first_unpaid_month=first,
                    unpaid_months=count,
                )
            )
        elif count >= limit and flag is not None and flag.unpaid_months != count:
            flag.unpaid_months = count
            flag.save(update_fields=["unpaid_months"])
        elif count < limit and flag is not None:
            flag.resolved_at = timezone.now()
            flag.save(update_fields=["resolved_at"])
    created = ArrearsFlag.objects.bulk_create(raised)
    if created:
        tell_branch_of_flags(created)
        transaction.on_commit(rollup_mark_dirty)
    return created


def flag_resolve_if_settled(member: Member) -> None:
    flag = ArrearsFlag.objects.filter(member=member, resolved_at__isnull=True).first()
    if flag is None:
        return
    limit = Tables().rule("dues.unpaid_months_flag")
    statuses = list(
        DuesBill.objects.filter(member=member).values_list("month", "status", "amount_fen")
    )
    if consecutive_unpaid(statuses)[0] < limit:
        flag.resolved_at = timezone.now()
        flag.save(update_fields=["resolved_at"])


def branch_users(org_ids: set[int]) -> dict[int, list[User]]:
    """The users holding posts in each organization (who hear about its arrears)."""
    out: dict[int, list[User]] = defaultdict(list)
    posts = Post.objects.filter(
        org_id__in=org_ids, ended_at__isnull=True, member__user__isnull=False
    ).select_related("member__user")
    for post in posts:
        out[post.org_id].append(post.member.user)
    return out
