"""Reminders of upcoming and overdue steps (到期提醒), per branch and committee.

Daily (beat → every active county → ``tasks.remind_steps``): for every open record, each
next step with a due date (a ``within`` rule or the probation end) within
``development.reminder_days_ahead`` days is *upcoming*, one past it *overdue*; a
submission waiting for a committee counts for the committee. The branch's post holders
(and, for committee steps, the committee's) get one in-app notification listing their
items, and one outbound message (``zhdj.messaging``). ``ReminderLog`` makes each
(record, step, kind, due date) go out once, so re-running the job sends nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction

from shared.accounts.models import User
from tenants.access.models import Post
from tenants.development.checks import ancestors_of
from tenants.development.models import OPEN_STATUSES, DevelopmentRecord, ReminderLog, Status
from tenants.development.steps import development_rules
from tenants.development.timeline import timeline
from tenants.notifications.services import notification_send
from zhdj.messaging import message_send


@dataclass(frozen=True)
class DueItem:
    record: DevelopmentRecord
    step_number: int
    step_name: str
    due_on: date
    kind: str  # "upcoming" | "overdue"
    committee_step: bool

    @property
    def text(self) -> str:
        when = "已超期" if self.kind == "overdue" else "即将到期"
        return (
            f"{self.record.name}（{self.record.org.name}）第 {self.step_number} 步"
            f"“{self.step_name}”{when}，期限 {self.due_on:%Y-%m-%d}"
        )


def due_items(records, today: date) -> list[DueItem]:  # type: ignore[no-untyped-def]
    ahead = development_rules()["development.reminder_days_ahead"]
    items = []
    for record in records.filter(status__in=[*OPEN_STATUSES, Status.FULL]).select_related("org"):
        for view in timeline(record):
            # A completed step is never due (timeline: a repeatable one closes with the next).
            if not view.is_next or view.due_on is None or view.complete:
                continue
            left = (view.due_on - today).days
            if left < 0:
                kind = "overdue"
            elif left <= ahead:
                kind = "upcoming"
            else:
                continue
            committee = view.step.reviewed
            items.append(
                DueItem(record, view.step.number, view.step.name, view.due_on, kind, committee)
            )
    return items


def _holders(org_ids: list[int]) -> list[User]:
    posts = Post.objects.filter(org_id__in=org_ids, ended_at__isnull=True).select_related(
        "member__user"
    )
    return [p.member.user for p in posts if p.member.user is not None and p.member.user.is_active]


def _recipients(item: DueItem) -> list[User]:
    org_ids = [item.record.org_id]
    if item.committee_step:
        org_ids += [o.pk for o in ancestors_of(item.record.org) if o.has_approval_authority][-1:]
    return _holders(org_ids)


def _claim(item: DueItem) -> bool:
    """Record that this reminder goes out; False if it went out before."""
    try:
        with transaction.atomic():
            ReminderLog.objects.create(
                record=item.record,
                step_number=item.step_number,
                kind=item.kind,
                due_on=item.due_on,
            )
    except IntegrityError:
        return False
    return True


def reminders_send(*, today: date) -> int:
    """Send the day's reminders; returns how many items went out."""
    by_user: dict[int, tuple[User, list[DueItem]]] = {}
    grouped: dict[int, list[DueItem]] = defaultdict(list)
    sent = 0
    for item in due_items(DevelopmentRecord.objects.all(), today):
        if not _claim(item):
            continue
        sent += 1
        for user in _recipients(item):
            by_user.setdefault(user.pk, (user, []))
            grouped[user.pk].append(item)
    for user_id, (user, _) in by_user.items():
        items = grouped[user_id]
        overdue = sum(1 for i in items if i.kind == "overdue")
        title = f"发展党员提醒：{len(items)} 项步骤即将到期或已超期" + (
            f"（超期 {overdue} 项）" if overdue else ""
        )
        notification_send(
            recipients=[user],
            title=title[:100],
            body="\n".join(i.text for i in items),
            url="/development/",
            sender=None,
        )
        message_send(
            recipient_user=user,
            template="development.step_due",
            params={"count": len(items), "overdue": overdue, "first": items[0].text},
            url="/development/",
        )
    return sent
