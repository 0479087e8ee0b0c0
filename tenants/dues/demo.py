"""Demo data for a county (党费演示数据): bases, four months of bills, most of them paid.

``seed_county()`` runs inside a county schema and is idempotent: members that already
have a base keep it, bills exist once per member-month, demo receipts are not repeated.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tenants.access.scope import Scope
from tenants.dues.billing import arrears_scan, bills_generate
from tenants.dues.calc import add_months, month_start
from tenants.dues.models import DuesBase, DuesBill, DuesPayment
from tenants.dues.payments import payment_offline_record
from tenants.dues.services import dues_base_set
from tenants.members.models import Member

MONTHS = 4
# (category, base in 分) cycled over members: every kind of member appears.
PROFILES = [
    ("in_service", 420000),
    ("in_service", 650000),
    ("retired", 380000),
    ("farmer", 0),
    ("in_service", 1250000),
    ("annual_salary", 980000),
    ("student", 0),
    ("self_employed", 300000),
]


@transaction.atomic
def seed_county() -> None:
    scope = Scope.system()
    current = month_start(timezone.localdate())
    first = add_months(current, 1 - MONTHS)
    members = list(Member.objects.filter(party_status_code="normal").order_by("pk"))
    with_base = set(DuesBase.objects.values_list("member_id", flat=True))
    for i, member in enumerate(members):
        if member.pk in with_base:
            continue
        category, base = PROFILES[i % len(PROFILES)]
        dues_base_set(
            scope=scope,
            member=member,
            category_code=category,
            base_fen=base,
            from_month=first,
            actor=None,
            note="演示数据",
        )
    for n in range(MONTHS):
        bills_generate(scope=scope, month=add_months(first, n))
    for i, member in enumerate(members):
        # Everyone paid the older months; two in three paid this month.
        months = [add_months(first, n) for n in range(MONTHS - 1)]
        if i % 3:
            months.append(current)
        unpaid = list(
            DuesBill.objects.filter(
                member=member, month__in=months, status=DuesBill.Status.UNPAID
            ).values_list("month", flat=True)
        )
        receipt = f"DEMO-{member.pk}-{current:%Y%m}"
        if not unpaid or DuesPayment.objects.filter(receipt_no=receipt).exists():
            continue
        payment_offline_record(
            scope=scope,
            member=member,
            channel="cash" if i % 2 else "bank_transfer",
            receipt_no=receipt,
            months=unpaid,
            actor=None,  # type: ignore[arg-type]
        )
    arrears_scan(scope=scope, through=current)
