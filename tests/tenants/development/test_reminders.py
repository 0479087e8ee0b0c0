"""Reminders of upcoming and overdue steps: notifications, messages, sent once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shared.accounts.models import User
from tenants.development.models import DevelopmentRecord
from tenants.development.reminders import due_items, reminders_send
from tenants.development.steps import add_months
from tenants.notifications.models import Notification
from tests.tenants.development.path import plan, walk
from zhdj.messaging.logging import OUTBOX


def test_overdue_talk_and_upcoming_approval_are_reminded_once(w):
    today = timezone.localdate()
    overdue, _ = walk(w, start=today - timedelta(days=40), until=1)  # talk due after 1 month
    items = due_items(DevelopmentRecord.objects.all(), today)
    assert [(i.record.pk, i.step_number, i.kind) for i in items] == [(overdue.pk, 2, "overdue")]
    OUTBOX.clear()
    branchsec = User.objects.get(username="branchsec")
    before = Notification.objects.filter(recipient=branchsec).count()
    assert reminders_send(today=today) == 1
    note = Notification.objects.filter(recipient=branchsec).latest("created_at")
    assert "陈发展" in note.body and "已超期" in note.body
    assert Notification.objects.filter(recipient=branchsec).count() == before + 1
    assert [m.template for _, m in OUTBOX] == ["development.step_due"]
    assert reminders_send(today=today) == 0  # idempotent
    assert Notification.objects.filter(recipient=branchsec).count() == before + 1


def test_upcoming_within_the_configured_days(w):
    today = timezone.localdate()
    record, _ = walk(w, start=add_months(today, -1) + timedelta(days=5), until=1)
    items = due_items(DevelopmentRecord.objects.all(), today)
    assert [(i.step_number, i.kind) for i in items] == [(2, "upcoming")]
    assert items[0].due_on == add_months(record.applied_on, 1)


def test_committee_steps_are_reminded_to_the_approving_committee(w):
    today = timezone.localdate()
    start = add_months(today, -19)
    while add_months(plan(start)[15], 3) > today + timedelta(days=5):
        start -= timedelta(days=7)
    walk(w, start=start, until=16)
    items = [i for i in due_items(DevelopmentRecord.objects.all(), today) if i.step_number == 17]
    assert items and items[0].committee_step
    reminders_send(today=today)
    townsec = User.objects.get(username="townsec")
    assert Notification.objects.filter(recipient=townsec, body__contains="上级党委审批").exists()
