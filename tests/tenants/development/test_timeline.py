"""A completed step is never overdue (issue 15): a repeatable 考察 step closes when the
step that requires it is done, leaves the board's overdue list, and the timeline never
shows 已完成 beside 已超期."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from tenants.development.models import DevelopmentRecord
from tenants.development.reminders import due_items
from tenants.development.steps import add_months
from tenants.development.timeline import timeline
from tests.conftest import logged_in
from tests.tenants.development.path import walk


def test_a_review_step_closed_by_the_next_stage_is_complete_and_never_due(w, alpha):
    today = timezone.localdate()
    record, _ = walk(w, start=add_months(today, -24), until=7)  # 发展对象 for ~9 months
    views = {v.step.number: v for v in timeline(record)}
    review = views[6]  # 培养教育考察, repeatable, last recorded ~21 months ago
    assert review.done and review.complete and not review.is_next
    assert not review.overdue_on(today)
    items = due_items(DevelopmentRecord.objects.filter(pk=record.pk), today)
    assert all(i.step_number != 6 for i in items)
    connection.set_schema_to_public()
    client = logged_in(alpha.host, "branchsec")
    page = client.get(f"/development/records/{record.pk}/").content.decode()
    step6 = page.split('data-step="6"')[1].split("</li>")[0]
    assert "已完成" in step6 and "超期" not in step6
    board = client.get("/development/").content.decode()
    assert "培养教育考察”已超期" not in board


def test_a_review_step_still_open_reads_as_done_so_often_not_as_complete(w):
    today = timezone.localdate()
    record, _ = walk(w, start=add_months(today, -12), until=6)  # still an activist
    review = {v.step.number: v for v in timeline(record)}[6]
    assert review.done and review.is_next and not review.complete and review.times == 1
