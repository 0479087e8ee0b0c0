"""Every time rule of the 25 steps: on time passes, too early is refused, late is flagged
(domain-rules §1). Dates are planned back from today so every step lies in the past."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from shared.accounts.models import User
from tenants.development.calendar import add_working_days
from tenants.development.models import StepEntry
from tenants.development.steps import add_months
from tenants.rules.models import RuleOverride
from tests.tenants.development.path import applied, do_step, walk
from zhdj.errors import ApplicationError


def start() -> date:
    return add_months(timezone.localdate(), -36)


def _refused(w, record, number, on, dates, match, **extra):  # type: ignore[no-untyped-def]
    before = StepEntry.objects.count()
    with pytest.raises(ApplicationError, match=match):
        do_step(w, record, number, on, dates, **extra)
    assert StepEntry.objects.count() == before


def test_applicant_of_17_years_364_days_is_refused_and_18_passes(w):
    today = timezone.localdate()
    birth = date(today.year - 18, today.month, today.day) + timedelta(days=1)
    with pytest.raises(ApplicationError, match="年满 18 周岁") as exc:
        applied(w, today, birth=birth)
    assert exc.value.field == "id_number"
    record = applied(w, today, birth=birth - timedelta(days=1))
    assert record.status == "applicant"


def test_talk_within_a_month_is_on_time_and_later_is_flagged(w):
    record, dates = walk(w, start=start(), until=1)
    on_time = do_step(w, record, 2, dates[1] + timedelta(days=30), dates)
    assert on_time.late_days == 0


def test_talk_more_than_a_month_after_the_application_is_flagged(w):
    record, dates = walk(w, start=start(), until=1)
    late = do_step(w, record, 2, add_months(dates[1], 1) + timedelta(days=9), dates)
    assert late.late_days == 9
    assert "1 个月内" in late.late_rule


def test_activist_three_months_after_application_and_not_earlier(w):
    record, dates = walk(w, start=start(), until=2)
    _refused(w, record, 3, add_months(dates[1], 3) - timedelta(days=1), dates, "最早可在")
    assert do_step(w, record, 3, add_months(dates[1], 3), dates).state == "done"
    record.refresh_from_db()
    assert record.status == "activist"


def test_county_override_of_the_activist_interval_applies(w):
    RuleOverride.objects.create(
        key="development.activist_after_application_months",
        value=6,
        reason="本县规定",
        updated_by=User.objects.get(username="admin"),
    )
    record, dates = walk(w, start=start(), until=2)
    _refused(w, record, 3, add_months(dates[1], 4), dates, "满 6 个月")


def test_cultivation_review_late_after_half_a_year_is_flagged(w):
    record, dates = walk(w, start=start(), until=5)
    entry = do_step(w, record, 6, add_months(dates[5], 6) + timedelta(days=3), dates)
    assert entry.late_days == 3


def test_development_target_less_than_a_year_after_activist_is_refused(w):
    record, dates = walk(w, start=start(), until=6)
    _refused(w, record, 7, add_months(dates[3], 12) - timedelta(days=1), dates, "满 1 年")
    assert do_step(w, record, 7, add_months(dates[3], 12), dates).late_days == 0


@pytest.mark.parametrize(
    ("details", "ok"),
    [
        ({"training_days": 3, "training_hours": 0}, True),
        ({"training_days": 0, "training_hours": 24}, True),
        ({"training_days": 2, "training_hours": 23}, False),
    ],
)
def test_training_needs_three_days_or_24_hours(w, details, ok):
    record, dates = walk(w, start=start(), until=10)
    if ok:
        assert do_step(w, record, 11, dates[11], dates, details=details).state == "done"
    else:
        _refused(w, record, 11, dates[11], dates, "不少于 3 天", details=details)


def test_publicity_shorter_than_five_working_days_is_refused(w):
    record, dates = walk(w, start=start(), until=12)
    short = dict(dates)
    short["publicity_to"] = dates["publicity_to"] - timedelta(days=1)
    while short["publicity_to"].weekday() >= 5:
        short["publicity_to"] -= timedelta(days=1)
    _refused(w, record, 13, dates[13], short, "公示期不少于 5 个工作日")
    entry = do_step(w, record, 13, dates[13], dates)
    assert entry.details["publicity_working_days"] == 5


def test_branch_meeting_needs_a_valid_political_review_and_pre_review(w):
    record, dates = walk(w, start=start(), until=14)
    _refused(w, record, 15, add_months(dates[13], 3) + timedelta(days=1), dates, "预审结果有效期")
    assert do_step(w, record, 15, add_months(dates[13], 3), dates).state == "done"


def test_approval_after_three_months_is_flagged_and_after_six_refused(w):
    record, dates = walk(w, start=start(), until=16)
    _refused(w, record, 17, add_months(dates[15], 6) + timedelta(days=1), dates, "超过期限")
    entry = do_step(w, record, 17, add_months(dates[15], 3) + timedelta(days=2), dates)
    assert entry.late_days == 2
    assert entry.state == "done"


def test_political_review_older_than_a_year_is_refused_at_the_branch_meeting(w):
    s = start()
    record, dates = walk(w, start=s, until=10)
    later = dict(dates)
    later[11] = later[12] = add_months(dates[10], 11)
    later["publicity_from"] = later[12] + timedelta(days=1)
    later["publicity_to"] = add_working_days(later["publicity_from"], 5)
    later[13] = later["publicity_to"] + timedelta(days=1)
    later[14] = later[13]
    for n in range(11, 15):
        do_step(w, record, n, later[n], later)
    expired = add_months(dates[10], 12) + timedelta(days=1)
    assert expired > later[14]
    _refused(w, record, 15, expired, later, "政治审查结论有效期")
    assert do_step(w, record, 15, expired - timedelta(days=1), later).state == "done"


def test_conversion_application_and_discussion_wait_for_the_probation_end(w):
    record, dates = walk(w, start=start(), until=21)
    end = record.probation_end
    assert end == add_months(dates[15], 12)
    _refused(w, record, 22, end - timedelta(days=32), dates, "最早可在")
    do_step(w, record, 22, end - timedelta(days=31), dates)
    _refused(w, record, 23, end - timedelta(days=1), dates, "预备期满")
    late = do_step(w, record, 23, add_months(end, 3) + timedelta(days=5), dates)
    assert late.late_days == 5


def test_conversion_approval_more_than_three_months_later_is_flagged(w):
    record, dates = walk(w, start=start(), until=23)
    entry = do_step(w, record, 24, add_months(dates[23], 3) + timedelta(days=1), dates)
    assert entry.late_days == 1
