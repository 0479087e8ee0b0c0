"""The full path from application to full member (domain-rules §1)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from tenants.development.models import Status, StepEntry
from tenants.development.steps import add_months
from tenants.members.models import Member
from tests.tenants.development.path import walk


def _start() -> date:
    return add_months(timezone.localdate(), -30)


def test_full_path_ends_with_a_full_member_with_correct_dates(w):
    record, dates = walk(w, start=_start(), until=25)
    assert record.status == Status.ARCHIVED
    member = Member.objects.get(pk=record.member_id)
    assert member.category_code == "full"
    assert member.joined_at == dates[15]  # dues and membership from the branch meeting
    assert member.full_member_at == add_months(dates[15], 12)  # 党龄 from the probation end
    assert member.org_id == w.village.pk
    assert member.id_number == record.id_number
    done = set(
        record.entries.filter(state=StepEntry.State.DONE).values_list("step_number", flat=True)
    )
    assert done == set(range(1, 26))
    assert not record.entries.filter(late_days__gt=0).exists()
