"""Reads of dues, always through a Scope: ``visible_to(scope)`` on the dues models gives the
rows of the subtrees where the user's posts carry dues.manage, plus the member's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet, Sum

from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.dues.calc import add_months, month_start
from tenants.dues.models import ArrearsFlag, DuesBase, DuesBill, DuesPayment, DuesReduction
from tenants.members.models import Member
from tenants.orgs.models import Organization


def dues_paid_until(member: Member) -> date | None:
    """党费交至: the first day of the last month paid up to without a gap.

    The month before the earliest unpaid bill (with something to pay); with none unpaid,
    the latest settled (paid or exempt) month. ``None`` when nothing was ever settled.
    """
    bills = DuesBill.objects.filter(member=member)
    first_unpaid = (
        bills.filter(status=DuesBill.Status.UNPAID, amount_fen__gt=0)
        .order_by("month")
        .values_list("month", flat=True)
        .first()
    )
    settled = bills.exclude(status=DuesBill.Status.UNPAID)
    if first_unpaid is not None:
        settled = settled.filter(month__lt=first_unpaid)
        if not settled.exists():
            return None
        return add_months(first_unpaid, -1)
    return settled.order_by("-month").values_list("month", flat=True).first()


def current_base(member: Member, month: date | None = None) -> DuesBase | None:
    qs = DuesBase.objects.filter(member=member)
    if month is not None:
        qs = qs.filter(from_month__lte=month_start(month))
    return qs.order_by("-from_month").first()


@dataclass(frozen=True)
class Collection:
    """Collection of one organization (subtree) for one month (党费收缴率)."""

    org_id: int
    org_name: str
    due_fen: int
    paid_fen: int
    bills: int
    paid_bills: int

    @property
    def rate(self) -> float | None:
        """Percentage for display only (figures stay integers)."""
        return round(self.paid_fen * 100 / self.due_fen, 1) if self.due_fen else None


def scoped_bills(scope: Scope) -> QuerySet[DuesBill]:
    """The bills of the organizations whose dues the user handles (not their own: the
    figures are the organizations')."""
    if scope.is_admin:
        return DuesBill.objects.all()
    return DuesBill.objects.filter(org_id__in=dues_orgs(scope).values("id"))


def dues_orgs(scope: Scope) -> QuerySet[Organization]:
    """The organizations whose dues the user handles (dues.manage)."""
    return Organization.objects.visible_to(scope, Perm.DUES_MANAGE)


def collection_by_org(scope: Scope, month: date) -> list[Collection]:
    """Each top organization of the scope's subtrees with its direct children."""
    orgs = list(dues_orgs(scope).order_by("path"))
    if not orgs:
        return []
    top_depth = min(o.depth for o in orgs)
    shown = [o for o in orgs if o.depth <= top_depth + 1]
    month_bills = scoped_bills(scope).filter(month=month_start(month))
    by_org = {
        row["org__path"]: row
        for row in month_bills.values("org__path").annotate(
            due=Sum("amount_fen"),
            paid=Sum("amount_fen", filter=Q(status=DuesBill.Status.PAID)),
            n=Count("*"),
            n_paid=Count("pk", filter=~Q(status=DuesBill.Status.UNPAID)),
        )
    }
    out = []
    for org in shown:
        rows = [r for path, r in by_org.items() if path.startswith(org.path)]
        out.append(
            Collection(
                org.pk,
                org.name,
                sum(r["due"] or 0 for r in rows),
                sum(r["paid"] or 0 for r in rows),
                sum(r["n"] for r in rows),
                sum(r["n_paid"] for r in rows),
            )
        )
    return [c for c in out if c.bills]


def collection_by_month(scope: Scope, last: date, months: int = 12) -> list[dict]:
    first = add_months(month_start(last), 1 - months)
    rows = (
        scoped_bills(scope)
        .filter(month__gte=first, month__lte=month_start(last))
        .values("month")
        .annotate(
            due=Sum("amount_fen"),
            paid=Sum("amount_fen", filter=Q(status=DuesBill.Status.PAID)),
        )
        .order_by("month")
    )
    return [
        {
            "month": r["month"].strftime("%Y-%m"),
            "due_fen": r["due"] or 0,
            "paid_fen": r["paid"] or 0,
            "rate": round((r["paid"] or 0) * 100 / r["due"], 1) if r["due"] else 0,
        }
        for r in rows
    ]


def unpaid_bills(scope: Scope, month: date) -> QuerySet[DuesBill]:
    return (
        scoped_bills(scope)
        .filter(month=month_start(month), status=DuesBill.Status.UNPAID, amount_fen__gt=0)
        .select_related("member", "org")
        .order_by("org__path", "member__name", "pk")
    )


def open_flags(scope: Scope) -> QuerySet[ArrearsFlag]:
    qs = ArrearsFlag.objects.filter(resolved_at__isnull=True).select_related("member", "org")
    if not scope.is_admin:  # the branch's flags, not the user's own
        qs = qs.filter(org_id__in=dues_orgs(scope).values("id"))
    return qs.order_by("org__path", "member__name")


def member_statement(member: Member, months: int = 24) -> dict:
    bills = list(DuesBill.objects.filter(member=member).order_by("-month")[:months])
    payments = list(
        DuesPayment.objects.filter(member=member)
        .exclude(status=DuesPayment.Status.CLOSED)
        .order_by("-created_at")[:20]
    )
    return {
        "bills": bills,
        "payments": payments,
        "paid_until": dues_paid_until(member),
        "base": current_base(member),
        "owed_fen": sum(b.amount_fen for b in bills if b.status == DuesBill.Status.UNPAID),
    }


def scope_member(scope: Scope, member_id: int) -> Member | None:
    """A member whose dues the user handles (not their own record: a post holder pays
    their own dues on 我的党费, and does not keep their own base)."""
    members = Member.objects.visible_to(scope, Perm.DUES_MANAGE).select_related("org")
    member = members.filter(pk=member_id).first()
    if member is None or not scope.can(Perm.DUES_MANAGE, member.org):
        return None
    return member


def org_in_scope(scope: Scope, org_id: int) -> Organization | None:
    return dues_orgs(scope).filter(pk=org_id).first()


def managed_reductions(scope: Scope) -> QuerySet[DuesReduction]:
    """Reduction requests of the members whose dues the user handles (their own only where
    their post covers it: a member does not approve for themselves)."""
    qs = DuesReduction.objects.visible_to(scope)
    if not scope.is_admin:
        qs = qs.filter(member__org__in=dues_orgs(scope).values("id"))
    return qs.select_related("member", "member__org")


def pending_reductions(scope: Scope) -> QuerySet[DuesReduction]:
    return managed_reductions(scope).filter(status=DuesReduction.Status.PENDING)


def reduction_in_scope(scope: Scope, reduction_id: int) -> DuesReduction | None:
    return managed_reductions(scope).filter(pk=reduction_id).first()
