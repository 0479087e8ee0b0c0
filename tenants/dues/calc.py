"""The dues amount of one member-month (党费计算), domain-rules.md §2.

Proportional schemes take the bracket whose (lower, upper] holds the base — the
regulation's edges are inclusive at the top, so 3000.00 元 pays 0.5% and 3000.01 元 pays
1% — and round half up to the 分. Fixed schemes read their monthly amount from a rule
parameter (farmers: the county's 0.2–1 元; students, the unemployed, 低保: 0.2 元).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from shared.standards.models import DuesBracket, DuesCategory
from tenants.rules.selectors import rule_values
from zhdj.dates import add_months
from zhdj.errors import ApplicationError

BP = 10_000  # basis points in one


@dataclass(frozen=True)
class Standard:
    """What the regulation asks of one member for one month."""

    rate_bp: int
    amount_fen: int


class Tables:
    """Categories, brackets and the dues rules, read once (billing 50,000 members)."""

    def __init__(self) -> None:
        self.categories = {c.code: c for c in DuesCategory.objects.all()}
        self.brackets: dict[str, list[DuesBracket]] = {}
        for b in DuesBracket.objects.order_by("scheme", "lower_fen"):
            self.brackets.setdefault(b.scheme, []).append(b)
        self.rules = rule_values("dues.")

    def rule(self, key: str) -> int:
        return int(self.rules[key])

    def standard(self, category_code: str, base_fen: int) -> Standard:
        category = self.categories.get(category_code)
        if category is None:
            raise ApplicationError("未知的党费缴纳类别。", field="category_code")
        if category.scheme == DuesCategory.Scheme.FIXED:
            return Standard(0, self.rule(category.amount_rule_key))
        rate = bracket_rate(self.brackets.get(category.scheme, []), base_fen)
        return Standard(rate, proportional_fen(base_fen, rate))


def bracket_rate(brackets: list[DuesBracket], base_fen: int) -> int:
    for b in brackets:
        if base_fen > b.lower_fen and (b.upper_fen is None or base_fen <= b.upper_fen):
            return b.rate_bp
    if brackets and base_fen <= brackets[0].lower_fen:
        return brackets[0].rate_bp  # a base of 0 is in the first bracket
    raise ApplicationError("党费比例档次未配置。", field="base")


def proportional_fen(base_fen: int, rate_bp: int) -> int:
    """base × rate, rounded half up to the 分, in integers only."""
    return (base_fen * rate_bp + BP // 2) // BP


def dues_standard(category_code: str, base_fen: int) -> Standard:
    return Tables().standard(category_code, base_fen)


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from ``first`` to ``last`` inclusive (first days)."""
    out, current = [], month_start(first)
    while current <= last:
        out.append(current)
        current = add_months(current, 1)
    return out


def parse_yuan(text: str | Decimal | None, *, field: str, label: str = "金额") -> int:
    """ "3000.01" 元 → 300001 分. Decimal only for parsing; never floats."""
    try:
        value = Decimal(str(text).strip().replace(",", "")) if text not in (None, "") else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ApplicationError(f"请填写正确的{label}（元），例如 10 或 10.50。", field=field)
    if value < 0:
        raise ApplicationError(f"{label}不能为负数。", field=field)
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ApplicationError(f"{label}最多保留两位小数（到分）。", field=field)
    return int(fen.quantize(Decimal(1), rounding=ROUND_HALF_UP))
