"""Rule values as the county reads and types them.

Money rules are stored in 分 (``unit == "分"``) like every amount in the project, but
their notes and the regulations speak of 元 ("每月 0.2–1 元"): the page shows them in
元 and the form accepts 元, so what the administrator types matches what is shown.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from shared.standards.models import RuleParameter
from zhdj.errors import ApplicationError
from zhdj.formats import yuan_plain

FEN = "分"


def is_money(parameter: RuleParameter) -> bool:
    return parameter.unit == FEN and parameter.kind == RuleParameter.Kind.INTEGER


def shown_unit(parameter: RuleParameter) -> str:
    return "元" if is_money(parameter) else parameter.unit


def shown(parameter: RuleParameter, value: Any) -> str:
    """A stored value (or bound) as text in the unit shown: 20 分 → "0.20"; True → "是"."""
    if value is None:
        return ""
    if is_money(parameter):
        return yuan_plain(int(value))
    if parameter.kind == RuleParameter.Kind.BOOLEAN:
        return "是" if value else "否"
    return str(value)


def stored_text(parameter: RuleParameter, text: str) -> str:
    """What the administrator typed, in the stored unit: "0.5" 元 → "50" 分."""
    if not is_money(parameter):
        return text
    try:
        fen = Decimal(text.strip()) * 100
        if not fen.is_finite() or fen != fen.to_integral_value():
            raise InvalidOperation
    except InvalidOperation:
        raise ApplicationError(
            f"「{parameter.name}」应为金额（元），最多两位小数", field="value"
        ) from None
    return str(int(fen))
