"""Thought-report reminders (思想汇报): activists and development targets, every
``development.thought_report_months`` months from the activist date or the last filed
report; sent once; the beat job on a real Celery worker."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.accounts.services import user_create
from tenants.access.scope import Scope
from tenants.development.models import DevelopmentRecord, ReminderLog
from tenants.development.steps import add_months
from tenants.development.thought_reports import reports_due, thought_reports_remind
from tenants.notifications.models import Notification
from tenants.rules.services import rule_override_set
from tests.support.world import PASSWORD
from tests.tenants.development.path import plan, walk
from zhdj.messaging.logging import OUTBOX
from zhdj.tasks import for_each_active_tenant


def _activist_since(w, days_ago: int, until: int = 3) -> DevelopmentRecord:  # type: ignore[no-untyped-def]
    """A record whose step 3 (确定为入党积极分子) was ``days_ago`` days ago."""
    today = timezone.localdate()
    start = add_months(today, -3) - timedelta(days=days_ago + 1)
    while plan(start)[3] > today - timedelta(days=days_ago):
        start -= timedelta(days=1)
    record, _ = walk(w, start=start, until=until)
    return record


def _login(record: DevelopmentRecord) -> User:
    user = user_create(
        username=f"tr{record.pk}", full_name=record.name, password=PASSWORD, role="applicant"
    )
    DevelopmentRecord.objects.filter(pk=record.pk).update(user=user)
    return user


def test_a_quarter_without_a_report_reminds_the_activist_and_the_branch_once(w):
    today = timezone.localdate()
    record = _activist_since(w, days_ago=100)  # > 3 months: overdue by the default rule
    person = _login(record)
    activist_on = record.entries.get(step_number=3).done_on

    items = reports_due(DevelopmentRecord.objects.all(), today)
    assert [(i.record.pk, i.kind, i.due_on) for i in items] == [
        (record.pk, "overdue", add_months(activist_on, 3))
    ]
    OUTBOX.clear()
    branchsec = User.objects.get(username="branchsec")
    assert thought_reports_remind(today=today) == 1
    mine = Notification.objects.get(recipient=person)
    assert "思想汇报" in mine.title and mine.url == "/development/mine/"
    assert Notification.objects.filter(recipient=branchsec, title__contains="思想汇报").count() == 1
    assert [m.template for _, m in OUTBOX] == ["development.thought_report_due"]
    assert OUTBOX[0][0].phone == "13700001111"  # the applicant's own number, for SMS

    assert thought_reports_remind(today=today) == 0  # idempotent
    assert Notification.objects.filter(recipient=person).count() == 1


def test_a_filed_report_moves_the_due_date_and_upcoming_follows_the_rule(w):
    today = timezone.localdate()
    # Step 6 (培养教育考察, carrying a 思想汇报) 9 days after step 3, 80 days ago.
    record = _activist_since(w, days_ago=89, until=6)
    filed = record.entries.get(step_number=6).done_on
    assert reports_due(DevelopmentRecord.objects.all(), today) == []  # due in ~10 days: not yet

    # A county that asks for a report every month: due a month after the last one.
    rule_override_set(
        scope=Scope.system(),
        key="development.thought_report_months",
        value=1,
        reason="本县要求每月",
        actor=w.admin,
    )
    items = reports_due(DevelopmentRecord.objects.all(), today)
    assert [(i.kind, i.due_on, i.last_on) for i in items] == [
        ("overdue", add_months(filed, 1), filed)
    ]


def test_upcoming_report_within_the_reminder_days(w):
    today = timezone.localdate()
    record = _activist_since(w, days_ago=0)
    due = add_months(record.entries.get(step_number=3).done_on, 3)
    assert reports_due(DevelopmentRecord.objects.all(), due - timedelta(days=8)) == []
    items = reports_due(DevelopmentRecord.objects.all(), due - timedelta(days=7))
    assert [(i.kind, i.due_on) for i in items] == [("upcoming", due)]
    assert today <= due


def test_applicants_and_probationary_members_get_no_thought_report_reminder(w):
    today = timezone.localdate()
    walk(w, start=add_months(today, -8), until=2)  # still an applicant after 8 months
    assert reports_due(DevelopmentRecord.objects.all(), today) == []


def test_the_applicants_page_shows_the_next_report_date(w, alpha):
    from django.db import connection

    from tests.conftest import logged_in

    record = _activist_since(w, days_ago=100)
    _login(record)
    due = add_months(record.entries.get(step_number=3).done_on, 3)
    connection.set_schema_to_public()
    page = logged_in(alpha.host, f"tr{record.pk}").get("/development/mine/").content.decode()
    assert f"下次思想汇报：{due:%Y-%m-%d} 前递交" in page and "已超期" in page


# --- the beat job, once, on a real worker --------------------------------------------


def _seed(schema: str, w_factory) -> int:  # type: ignore[no-untyped-def]
    with schema_context(schema):
        return _activist_since(w_factory(), days_ago=100).pk


def _purge(schema: str, record_id: int) -> None:
    from tenants.development.models import (
        MeetingVote,
        StepDocument,
        StepEntry,
        StepPerson,
    )
    from tenants.orgs.models import Organization

    with schema_context(schema):
        entries = StepEntry.objects.filter(record_id=record_id)
        for doc in StepDocument.objects.filter(entry__in=entries):
            doc.file.storage.delete(doc.file.name)
            doc.delete()
        StepPerson.objects.filter(entry__in=entries).delete()
        MeetingVote.objects.filter(entry__in=entries).delete()
        ReminderLog.objects.filter(record_id=record_id).delete()
        Notification.objects.filter(title__contains="思想汇报").delete()
        Notification.objects.filter(title__startswith="发展党员提醒").delete()
        entries.delete()
        DevelopmentRecord.objects.filter(pk=record_id).delete()
        Organization.objects.filter(name__endswith="某镇党委").update(has_approval_authority=False)


@pytest.mark.live
def test_the_beat_job_sends_thought_report_reminders_on_a_real_worker(
    celery_worker_process, committed, alpha, settings, tmp_path
):
    from tests.tenants.development.path import world

    settings.MEDIA_ROOT = str(tmp_path)
    record_id = _seed(alpha.schema, world)
    try:
        for_each_active_tenant.delay("tenants.development.tasks.remind_steps", 0).get(timeout=30)
        deadline = time.monotonic() + 30
        with schema_context(alpha.schema):
            while not ReminderLog.objects.filter(
                record_id=record_id, kind="report_overdue"
            ).exists():
                assert time.monotonic() < deadline, "the worker sent no thought-report reminder"
                time.sleep(0.3)
            branchsec = User.objects.get(username="branchsec")
            assert Notification.objects.filter(
                recipient=branchsec, title__contains="思想汇报"
            ).exists()
    finally:
        _purge(alpha.schema, record_id)
