"""Thought-report reminders (思想汇报提醒), domain-rules.md §1 step 6.

入党积极分子 and 发展对象 hand in a written thought report at least every
``development.thought_report_months`` months (rule parameter; quarterly by default, a
county may override it). A report counts when the branch files it as a
``思想汇报`` document on a recorded step (step 6, 培养教育考察, carries it), or when the
person hands one in from their own page (``Submission``, dated the day handed in). The first one
falls due that many months after the person became an activist (step 3).

Daily, with the step reminders: a report due within ``development.reminder_days_ahead``
days is *upcoming*, one past due *overdue*. The person (if they have a login) gets a
notification and a message; the branch's post holders one digest. ``ReminderLog``
(kind ``report_upcoming`` / ``report_overdue``, keyed by the due date) sends each once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Max, QuerySet

from shared.accounts.models import User
from tenants.access.models import Post
from tenants.development.models import (
    DevelopmentRecord,
    ReminderLog,
    Status,
    StepDocument,
    StepEntry,
    Submission,
)
from tenants.development.steps import add_months, development_rules
from tenants.notifications.services import notification_send
from zhdj.messaging import message_send

REPORT_KIND = "思想汇报"  # the document kind of a thought report in the step template
ACTIVIST_STEP = 3  # 确定为入党积极分子: the reporting duty starts here
REPORT_STEP = 6  # the step that carries the reports (ReminderLog key)
REPORTING = (Status.ACTIVIST, Status.TARGET)


@dataclass(frozen=True)
class ReportDue:
    record: DevelopmentRecord
    last_on: date  # last report filed (or the activist date when none yet)
    due_on: date
    kind: str  # "upcoming" | "overdue"

    @property
    def text(self) -> str:
        when = "已超期" if self.kind == "overdue" else "即将到期"
        return (
            f"{self.record.name}（{self.record.org.name}）思想汇报{when}，"
            f"应于 {self.due_on:%Y-%m-%d} 前递交（上次 {self.last_on:%Y-%m-%d}）"
        )


def report_due_on(records: Iterable[DevelopmentRecord]) -> dict[int, tuple[date, date]]:
    """Per record: (last report or activist date, next due date). Three queries."""
    ids = [r.pk for r in records if r.status in REPORTING]
    if not ids:
        return {}
    months = int(development_rules()["development.thought_report_months"])
    since = dict(
        StepEntry.objects.filter(
            record_id__in=ids, step_number=ACTIVIST_STEP, state=StepEntry.State.DONE
        )
        .values_list("record_id")
        .annotate(on=Max("done_on"))
    )
    reported = dict(
        StepDocument.objects.filter(
            entry__record_id__in=ids, kind=REPORT_KIND, entry__state=StepEntry.State.DONE
        )
        .values_list("entry__record_id")
        .annotate(on=Max("entry__done_on"))
    )
    handed_in = dict(
        Submission.objects.filter(record_id__in=ids, kind=Submission.Kind.THOUGHT_REPORT)
        .values_list("record_id")
        .annotate(on=Max("submitted_on"))
    )
    due: dict[int, tuple[date, date]] = {}
    for record_id in ids:
        found = (since.get(record_id), reported.get(record_id), handed_in.get(record_id))
        last = max((d for d in found if d), default=None)
        if last is not None:
            due[record_id] = (last, add_months(last, months))
    return due


def reports_due(records: QuerySet[DevelopmentRecord], today: date) -> list[ReportDue]:
    ahead = int(development_rules()["development.reminder_days_ahead"])
    reporting = list(records.filter(status__in=REPORTING).select_related("org", "user"))
    dues = report_due_on(reporting)
    items = []
    for record in reporting:
        if record.pk not in dues:
            continue
        last, due_on = dues[record.pk]
        left = (due_on - today).days
        if left < 0:
            items.append(ReportDue(record, last, due_on, "overdue"))
        elif left <= ahead:
            items.append(ReportDue(record, last, due_on, "upcoming"))
    return items


def _claim(item: ReportDue) -> bool:
    _, created = ReminderLog.objects.get_or_create(
        record=item.record,
        step_number=REPORT_STEP,
        kind=f"report_{item.kind}",
        due_on=item.due_on,
    )
    return created


def branch_holders(org_id: int) -> list[User]:
    """The active logins of the branch's post holders (digest and hand-in notices)."""
    posts = Post.objects.filter(org_id=org_id, ended_at__isnull=True).select_related("member__user")
    return [p.member.user for p in posts if p.member.user and p.member.user.is_active]


def thought_reports_remind(*, today: date) -> int:
    """Send the day's thought-report reminders; returns how many reports were reminded."""
    by_branch: dict[int, list[ReportDue]] = {}
    sent = 0
    for item in reports_due(DevelopmentRecord.objects.all(), today):
        if not _claim(item):
            continue
        sent += 1
        by_branch.setdefault(item.record.org_id, []).append(item)
        person = item.record.user
        if person is not None and person.is_active:
            notification_send(
                recipients=[person],
                title=f"请按时递交思想汇报（期限 {item.due_on:%Y-%m-%d}）",
                body=item.text,
                url="/development/mine/",
                sender=None,
            )
            message_send(
                recipient_user=person,
                template="development.thought_report_due",
                params={"name": item.record.name, "due_on": item.due_on.isoformat()},
                url="/development/mine/",
                phone=item.record.phone or "",
            )
    for org_id, items in by_branch.items():
        holders = branch_holders(org_id)
        if holders:
            notification_send(
                recipients=holders,
                title=f"思想汇报提醒：{len(items)} 人应递交思想汇报",
                body="\n".join(i.text for i in items),
                url="/development/",
                sender=None,
            )
    return sent
