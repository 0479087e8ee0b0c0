"""Reminders (催缴提醒): members with unpaid bills, and the branch about long arrears.

In-app through ``notification_send``; also through ``zhdj.messaging`` (SMS / WeChat
templates) when that module is installed.
"""

from __future__ import annotations

import importlib
import logging
from collections import defaultdict
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shared.accounts.models import User
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.dues.models import ArrearsFlag, DuesBill
from tenants.dues.selectors import dues_orgs
from tenants.members.models import Member
from tenants.notifications.services import notification_send, reminder_claim
from zhdj.formats import yuan_plain as yuan

log = logging.getLogger(__name__)


def _also_message(users: list[User], template: str, params: dict, url: str) -> None:
    """Also send through zhdj.messaging (SMS / WeChat template) after commit, if present."""
    try:
        messaging = importlib.import_module("zhdj.messaging")
    except ImportError:
        return
    send = getattr(messaging, "message_send", None)
    if send is None:
        return

    def deliver() -> None:
        for user in users:
            try:
                send(recipient_user=user, template=template, params=params, url=url)
            except Exception:  # a channel failure must not lose the in-app reminder
                log.exception("dues: zhdj.messaging failed")

    transaction.on_commit(deliver)


@transaction.atomic
def remind_unpaid(
    *, scope: Scope, sender: User | None = None, today: date | None = None, once: str = ""
) -> int:
    """Tell each member (with a login) whose dues the user handles what they owe (the
    monthly job: ``Scope.system()``, the whole county). Returns how many were told.
    ``once`` (the job: the month): each member is reminded at most once for it, even when
    the task is delivered twice (``reminder_claim``, committed with the notifications)."""
    scope.require(Perm.DUES_MANAGE, message="无权催缴党费。")
    bills = DuesBill.objects.filter(
        status=DuesBill.Status.UNPAID,
        amount_fen__gt=0,
        member__user__isnull=False,
        member__party_status_code="normal",
        month__lte=(today or timezone.localdate()),
    )
    if not scope.is_admin:
        bills = bills.filter(member__org__in=dues_orgs(scope).values("id"))
    owed: dict[int, list[int]] = defaultdict(list)
    for member_id, amount in bills.values_list("member_id", "amount_fen"):
        owed[member_id].append(amount)
    if not owed:
        return 0
    users = dict(Member.objects.filter(pk__in=owed).values_list("pk", "user_id"))
    people = {u.pk: u for u in User.objects.filter(pk__in=users.values())}
    url = reverse("dues:mine")
    told = 0
    for member_id, amounts in owed.items():
        if once and not reminder_claim("dues.unpaid", member_id, once):
            continue
        told += 1
        user = people[users[member_id]]
        title = "党费交纳提醒"
        body = f"您有 {len(amounts)} 个月党费未交，合计 {yuan(sum(amounts))} 元，可在线交纳。"
        notification_send(recipients=[user], title=title, body=body, url=url, sender=sender)
        _also_message(
            [user],
            "dues.unpaid_reminder",
            {"months": len(amounts), "amount": yuan(sum(amounts))},
            url,
        )
    return told


def tell_branch_of_flags(flags: list[ArrearsFlag]) -> None:
    """Tell the branch (its post holders) that members have long arrears."""
    from tenants.dues.billing import branch_users

    limit = min(f.unpaid_months for f in flags)
    by_org: dict[int, list[ArrearsFlag]] = defaultdict(list)
    for flag in flags:
        by_org[flag.org_id].append(flag)
    holders = branch_users(set(by_org))
    names = dict(
        Member.objects.filter(pk__in=[f.member_id for f in flags]).values_list("pk", "name")
    )
    url = reverse("dues:overview")
    for org_id, org_flags in by_org.items():
        users = holders.get(org_id)
        if not users:
            continue
        who = "、".join(names[f.member_id] for f in org_flags[:5])
        more = f"等 {len(org_flags)} 人" if len(org_flags) > 5 else ""
        title = "党员连续未交党费提示"
        body = (
            f"{who}{more}已连续 {limit} 个月以上未交党费，"
            "请支部了解情况并按规定处理（系统不会自动变更党籍）。"
        )
        notification_send(recipients=users, title=title, body=body, url=url, sender=None)
        _also_message(users, "dues.arrears_flag", {"names": who + more, "months": limit}, url)
