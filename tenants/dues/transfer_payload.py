"""The ``dues`` part of the transfer payload (组织关系转接, domain-rules §3): 党费交至
carries over. The receiving county's account starts the month after the last month paid
(so no month is billed twice, none is skipped), with the sending county's category,
base and quarterly consent, until the branch records a new base.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tenants.dues.calc import add_months, month_start
from tenants.dues.models import DuesAccount, DuesBase
from tenants.dues.selectors import current_base, dues_paid_until
from tenants.dues.services import account_ensure
from tenants.members.models import Member
from tenants.transfers.payload import ImportContext, from_iso, iso, paid_until_source, part

# 党费交至 for a transfer's application and letter (the transfers app asks, never imports).
paid_until_source(dues_paid_until)


@part("dues", order=30)
class DuesPart:
    @staticmethod
    def export(member: Member) -> dict[str, Any] | None:
        account = DuesAccount.objects.filter(member=member).first()
        if account is None:
            return None
        base = current_base(member)
        return {
            "paid_until": iso(dues_paid_until(member)),
            "quarterly": account.quarterly,
            "base": None
            if base is None
            else {"category_code": base.category_code, "base_fen": base.base_fen},
        }

    @staticmethod
    def load(ctx: ImportContext, data: dict[str, Any]) -> None:
        member = ctx.member
        assert member is not None  # the members part runs first
        paid_until = from_iso(data.get("paid_until"))
        starts = (
            add_months(month_start(paid_until), 1)
            if paid_until
            else month_start(timezone.localdate())
        )
        account = account_ensure(member=member, pays_from=starts)
        if data.get("quarterly") and not account.quarterly:
            DuesAccount.objects.filter(pk=account.pk).update(quarterly=True)
        base = data.get("base")
        if base and not DuesBase.objects.filter(member=member, from_month__gte=starts).exists():
            DuesBase.objects.create(
                member=member,
                category_code=base["category_code"],
                base_fen=int(base["base_fen"]),
                from_month=starts,
                note="组织关系转入，沿用转出区县的缴纳类别和基数",
                recorded_by=ctx.actor,
            )
        if paid_until:
            ctx.notes.append(f"党费已交至{paid_until:%Y年%m月}，本区县自{starts:%Y年%m月}起计收。")
