"""Flowing-member reminders (流动党员提醒), each sent once, never daily:

- the report back (向党组织报告): ``flowing.reminder_days`` before it is due (yearly,
  ``flowing.report_months``; abroad ``flowing.abroad_report_months``), to the member and
  to those who run the flowing work at the home branch, once per outflow and due date
  (a report moves the due date on, and the next period gets its own reminder);
- a 失联 member whose time is up (失联满期 → 停止党籍; 停止党籍满期 → 除名), to the
  branch, once per member and stage.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse

from shared.accounts.models import User
from tenants.access.grants import post_holders
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.flowing.selectors import Away, Deadline, away, deadlines
from tenants.notifications.services import notification_send, reminder_claim
from tenants.orgs.models import Organization
from tenants.rules.selectors import rule_values


def managers_of(org: Organization) -> list[User]:
    """Users whose active post at ``org`` carries ``flowing.manage``."""
    return post_holders(org, Perm.FLOWING_MANAGE)  # type: ignore[return-value]


@transaction.atomic
def report_due_remind(*, today: date) -> int:
    """Tell the members whose report back falls due within ``flowing.reminder_days`` (and
    their branches); returns the members reminded."""
    rules = rule_values("flowing.")
    days = int(rules["flowing.reminder_days"])
    by_org: dict[int, list[Away]] = defaultdict(list)
    for row in away(Scope.system(), today):
        if row.member.lost_contact or today < row.report_due - timedelta(days=days):
            continue
        if not reminder_claim("flowing.report_due", row.outflow.pk, row.report_due):
            continue
        by_org[row.outflow.org_id].append(row)
        user = row.member.user
        if user is not None and user.is_active:
            months = row.report_months
            notification_send(
                recipients=[user],
                title=f"流动党员报告提醒：请于{row.report_due:%Y年%m月%d日}前向党组织报告",
                body=(
                    f"按规定外出期间每 {months} 个月向原党组织报告一次思想、工作和学习情况，"
                    "可在手机上报告，也可直接联系原党支部。"
                ),
                url=reverse("flowing:mine"),
                sender=None,
            )
    for rows in by_org.values():
        org = rows[0].outflow.org
        users = managers_of(org)
        if users:
            notification_send(
                recipients=users,
                title=f"流动党员提醒：{org.name}有 {len(rows)} 名流动党员报告即将到期"[:100],
                body="\n".join(
                    f"{r.member.name}（{r.outflow.destination}）应于"
                    f"{r.report_due:%Y年%m月%d日}前报告"
                    + ("，已逾期" if r.report_overdue(today) else "")
                    for r in rows
                ),
                url=reverse("flowing:index"),
                sender=None,
            )
    return sum(len(rows) for rows in by_org.values())


def _stage(deadline: Deadline) -> str:
    """Which step of a 失联 case is due: 停止党籍 (still normal) or 除名 (suspended)."""
    return "suspend" if deadline.member.party_status_code == "normal" else "remove"


@transaction.atomic
def lost_contact_remind(*, today: date) -> int:
    """Tell the branch of each 失联 member whose time is up, once per member and step;
    returns the members named."""
    by_org: dict[int, list[Deadline]] = defaultdict(list)
    for d in deadlines(Scope.system(), today):
        if not d.member.lost_contact or not d.overdue(today):
            continue
        if not reminder_claim(f"flowing.lost_{_stage(d)}", d.member.pk, d.since):
            continue
        by_org[d.member.org_id].append(d)
    for items in by_org.values():
        org = items[0].member.org
        users = managers_of(org)
        if users:
            notification_send(
                recipients=users,
                title=f"失联党员提醒：{org.name}有 {len(items)} 名失联党员已到处置期限"[:100],
                body="\n".join(
                    f"{d.member.name}：{d.what}（自{d.since:%Y年%m月%d日}起，"
                    f"期限{d.due:%Y年%m月%d日}，已记录查找 {d.steps} 次）"
                    for d in items
                ),
                url=reverse("flowing:deadlines"),
                sender=None,
            )
    return sum(len(items) for items in by_org.values())
