"""Date arithmetic shared by every app."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier); the month's last day when it has no such
    day (31 January + 1 month = 28/29 February)."""
    return day + relativedelta(months=months)
