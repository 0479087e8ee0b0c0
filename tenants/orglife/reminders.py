"""Reminders before a month or quarter ends (期末提醒): the people who run a branch's
organizational life are told which required meetings of the current period are not held
yet, ``orglife.remind_days_before_end`` days before the period ends — once per branch,
type and period. Members are never asked to do anything by these; they get the notice of
a meeting when it is planned."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse

from shared.accounts.models import User
from tenants.access.grants import post_holders
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.notifications.services import notification_send, reminder_claim
from tenants.orglife.compliance import compliance
from tenants.orglife.types import period_of
from tenants.orgs.models import Organization
from tenants.rules.selectors import rule_value


def organizers_of(org: Organization) -> list[User]:
    """Users whose active post at ``org`` carries ``orglife.manage``."""
    return post_holders(org, Perm.ORGLIFE_MANAGE)  # type: ignore[return-value]


@transaction.atomic
def period_end_remind(*, today: date) -> int:
    """Send the reminders due today; returns how many branches were told."""
    days = int(rule_value("orglife.remind_days_before_end"))
    told = 0
    for branch in compliance(Scope.system(), today=today):
        short = []
        for line in branch.lines:
            if line.type.period == "year" or line.current_held >= line.current_required:
                continue
            _, end = period_of(line.type.period, today)
            if (end - today).days > days:
                continue
            if not reminder_claim("orglife.period_end", f"{branch.org.pk}:{line.type.code}", end):
                continue
            short.append(
                f"{line.type.name}：{line.current_label}应开 {line.current_required} 次，"
                f"已开 {line.current_held} 次（{end:%m月%d日}前）"
            )
        users = organizers_of(branch.org) if short else []
        if users:
            notification_send(
                recipients=users,
                title=f"组织生活提醒：{branch.org.name}本期还有 {len(short)} 类会议未召开"[:100],
                body="\n".join(short),
                url=reverse("orglife:compliance"),
                sender=None,
            )
            told += 1
    return told
