"""The 25-step template, the development rules and the working-day calendar as seeded."""

from __future__ import annotations

from datetime import date

import pytest

from shared.standards.models import CalendarYear, DevelopmentStage, DevelopmentStep, RuleParameter
from tenants.development.calendar import CalendarMissing, add_working_days, working_days


@pytest.fixture
def public(db):  # type: ignore[no-untyped-def]
    return None


def test_five_stages_and_twenty_five_steps_in_order(public):
    assert DevelopmentStage.objects.count() == 5
    numbers = list(DevelopmentStep.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 26))
    for s in DevelopmentStep.objects.all():
        assert all(r < s.number for r in s.requires)
    approvals = set(
        DevelopmentStep.objects.filter(level="approval").values_list("number", flat=True)
    )
    assert approvals == {13, 17, 24}


def test_configurable_development_rules_are_seeded(public):
    values = dict(RuleParameter.objects.filter(domain="development").values_list("key", "value"))
    assert values["development.activist_after_application_months"] == 3
    assert values["development.publicity_working_days"] == 5
    assert values["development.thought_report_months"] == 3


def test_working_days_follow_the_holiday_calendar(public):
    # National Day 2025: 1–8 October off, Sunday 28 September and Saturday 11 October worked.
    assert working_days(date(2025, 9, 29), date(2025, 10, 3)) == 2
    assert working_days(date(2025, 9, 27), date(2025, 9, 28)) == 1
    assert add_working_days(date(2025, 9, 29), 5) == date(2025, 10, 11)  # a Saturday worked
    assert working_days(date(2026, 3, 2), date(2026, 3, 6)) == 5


def test_a_year_missing_from_the_calendar_is_an_error_not_a_plain_year(public):
    assert not CalendarYear.objects.filter(year=2027).exists()
    with pytest.raises(CalendarMissing, match="2027 年的法定节假日安排尚未录入"):
        working_days(date(2026, 12, 28), date(2027, 1, 8))


# --- ops enter a new year in the city admin (no migration) ---------------------------

DAYS_2027 = "\n".join(
    [
        "2027-01-01 休 元旦",
        "2027-02-06 班 春节调休",
        *(f"2027-02-{d:02d} 休 春节" for d in range(8, 13)),
    ]
)


def _publicity(schema: str, start: date, end: date) -> dict:
    from django_tenants.utils import schema_context

    from tenants.development.rules import check_time_rules
    from tenants.development.steps import step

    details = {"publicity_from": start.isoformat(), "publicity_to": end.isoformat()}
    with schema_context(schema):
        check_time_rules(
            step=step(13),
            done_on=end,
            dates={12: start},
            names={},
            birth_date=date(1998, 4, 2),
            details=details,
        )
    return details


def test_ops_enter_2027_in_the_admin_and_publicity_counts_its_holidays(ops_client, alpha):
    from zhdj.errors import ApplicationError

    with pytest.raises(CalendarMissing):
        _publicity(alpha.schema, date(2027, 2, 5), date(2027, 2, 17))

    response = ops_client.post(
        "/admin/standards/calendaryear/add/",
        {"year": "2027", "source": "国办发明电〔2026〕某号", "days": DAYS_2027},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    year = CalendarYear.objects.get(year=2027)
    assert year.source.startswith("国办发明电")

    # 5 Feb (Fri), 6 Feb (Saturday worked), 15 Feb (Mon): 3 working days, refused —
    # a plain Monday–Friday count would have passed it with 7.
    with pytest.raises(ApplicationError, match="只有 3 个工作日") as exc:
        _publicity(alpha.schema, date(2027, 2, 5), date(2027, 2, 15))
    assert exc.value.field == "publicity_to"
    details = _publicity(alpha.schema, date(2027, 2, 5), date(2027, 2, 17))
    assert details["publicity_working_days"] == 5
    assert add_working_days(date(2027, 2, 5), 5) == date(2027, 2, 17)

    # The year's page shows its days again and replaces them on save.
    page = ops_client.get(f"/admin/standards/calendaryear/{year.pk}/change/").content.decode()
    assert "2027-02-06 班 春节调休" in page
    response = ops_client.post(
        f"/admin/standards/calendaryear/{year.pk}/change/",
        {"source": year.source, "days": "2027-01-01 休 元旦"},
    )
    assert response.status_code == 302
    assert working_days(date(2027, 2, 8), date(2027, 2, 12)) == 5


def test_a_wrong_calendar_line_is_named_and_nothing_is_saved(ops_client):
    response = ops_client.post(
        "/admin/standards/calendaryear/add/",
        {"year": "2027", "days": "2027-01-01 休 元旦\n2027-02-06 休 周六\n2027-13-01 休"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "第 2 行：2027-02-06 是星期六，本来就休息。" in page
    assert "第 3 行：“2027-13-01”不是日期" in page
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_the_calendar_is_not_in_a_countys_admin(alpha_admin):
    client = alpha_admin
    assert client.get("/admin/standards/calendaryear/").status_code in (302, 403, 404)
