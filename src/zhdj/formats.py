"""How figures and moments read on Chinese pages and exports: one place for all of them.

* Money is stored in 分 (integers) and shown in 元 with two decimals and thousands
  separators: 841110 → ``8,411.10``; where the text is typed again or read by a machine
  (a form's value, a gateway's amount, a reminder) without them: ``8411.10``.
* A moment is shown in Beijing time (the project's ``TIME_ZONE``) in the Chinese form
  ``2026年12月6日 12:30``, never as a UTC ISO string.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime


def yuan_plain(fen: int | None) -> str:
    """841110 (分) → "8411.10" (元): no separators, for inputs and protocols; None → ""."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}.{cents:02d}"


def yuan(fen: int | None) -> str:
    """841110 (分) → "8,411.10" (元); None → ""."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def yuan_value(fen: int | None) -> float | None:
    """分 → 元 as a number (charts and spreadsheet cells, which format it themselves)."""
    return None if fen is None else round(fen / 100, 2)


def beijing(moment: datetime | str | None) -> str:
    """An aware datetime (or its ISO text) → "2026年12月6日 12:30" in Beijing time."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        parsed = parse_datetime(moment)
        if parsed is None:
            return moment
        moment = parsed
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def chinese_date(day: date | None) -> str:
    """date(2026, 12, 6) → "2026年12月6日"."""
    return "" if day is None else f"{day.year}年{day.month}月{day.day}日"
