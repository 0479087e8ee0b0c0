"""Working days (工作日) by the Chinese holiday calendar, for publicity periods (公示期).

Reads the public standard (``CalendarDay`` exceptions to Monday–Friday, ``CalendarYear``
for the years known). Counting in a year that is not known raises ``CalendarMissing``
with a message that names the year: treating it as a plain year could let a publicity
period that spans a Spring Festival pass with too few working days.
"""

from __future__ import annotations

from datetime import date, timedelta

from shared.standards.models import CalendarDay, CalendarYear
from zhdj.errors import ApplicationError


class CalendarMissing(ApplicationError):
    """The holiday arrangements of a needed year are not in the standards yet."""


def _require_years(first: date, last: date) -> None:
    needed = set(range(first.year, last.year + 1))
    known = set(CalendarYear.objects.filter(year__in=needed).values_list("year", flat=True))
    missing = sorted(needed - known)
    if missing:
        years = "、".join(str(y) for y in missing)
        raise CalendarMissing(
            f"{years} 年的法定节假日安排尚未录入标准库，无法计算工作日，请联系市级运维人员补录。",
            field="calendar",
        )


def working_days(first: date, last: date) -> int:
    """Working days from ``first`` to ``last``, both included (0 if ``last`` < ``first``)."""
    if last < first:
        return 0
    _require_years(first, last)
    exceptions = dict(
        CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "is_workday")
    )
    count = 0
    day = first
    while day <= last:
        count += exceptions.get(day, day.weekday() < 5)
        day += timedelta(days=1)
    return count


def add_working_days(start: date, days: int) -> date:
    """The date of the ``days``-th working day counted from ``start`` (included)."""
    day = start - timedelta(days=1)
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        _require_years(day, day)
        exception = CalendarDay.objects.filter(date=day).values_list("is_workday", flat=True)
        counted += exception[0] if exception else day.weekday() < 5
    return day
