from __future__ import annotations

from django import template

from zhdj.formats import yuan_plain as _yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """12345 分 → "123.45"."""
    return _yuan(fen)


@register.filter
def percent_bp(rate_bp: int) -> str:
    return f"{rate_bp / 100:g}%" if rate_bp else "定额"


@register.filter
def dues_category(code: str) -> str:
    from shared.standards.models import DuesCategory

    return DuesCategory.objects.filter(code=code).values_list("name", flat=True).first() or code
